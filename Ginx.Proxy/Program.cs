using Ginx.Proxy;
using Ginx.Proxy.Configuration;
using Ginx.Proxy.Management;
using Ginx.Proxy.NginxConf;

if (PrintConfigCommand.IsRequested(args, out var rest))
{
    // Reads the configuration as the proxy would, but builds no host: nothing is bound or started.
    return PrintConfigCommand.Run(WebApplication.CreateBuilder(rest).Configuration, Console.Out, Console.Error);
}

ProxyRuntimeDefaults.Apply();

WebApplication app;
try
{
    app = GinxProxyApplication.Build(WebApplication.CreateBuilder(args));
}
catch (ProxyConfigurationException)
{
    // Already logged, one line per problem; a stack trace would only hide them.
    return 1;
}

try
{
    await app.StartAsync();
}
catch (Exception exception) when (ListenerBindFailure.Is(exception))
{
    await Console.Error.WriteLineAsync(ListenerBindFailure.Describe(exception, app.Services));
    await app.DisposeAsync();
    return 1;
}

await app.WaitForShutdownAsync();
await app.DisposeAsync();
return 0;

/// <summary>The proxy's entry point.</summary>
public partial class Program;
