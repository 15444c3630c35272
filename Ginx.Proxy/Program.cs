using Ginx.Proxy;
using Ginx.Proxy.Configuration;
using Ginx.Proxy.Management;
using Ginx.Proxy.NginxConf;

if (PrintConfigCommand.IsRequested(args, out var rest))
{
    // Reads the configuration as the proxy would, but builds no host: nothing is bound or started.
    return PrintConfigCommand.Run(WebApplication.CreateBuilder(rest).Configuration, Console.Out, Console.Error);
}

var check = ConfigurationCheckCommand.IsRequested(args, out args);
ProxyRuntimeDefaults.Apply();

WebApplication app;
try
{
    var builder = WebApplication.CreateBuilder(args);
    if (check)
    {
        ConfigurationCheckCommand.Prepare(builder);
    }

    app = GinxProxyApplication.Build(builder);
}
catch (Exception exception) when (ConfigurationFileFailure.Is(exception))
{
    await Console.Error.WriteLineAsync(ConfigurationFileFailure.Describe(exception));
    return 1;
}
catch (ProxyConfigurationException exception)
{
    // A start has logged it already, one line per problem; a stack trace would only hide them.
    if (check)
    {
        await Console.Error.WriteLineAsync(exception.Message);
    }

    return 1;
}

if (check)
{
    // Built and mapped, never started: nothing was bound.
    await Console.Out.WriteLineAsync(ConfigurationCheckCommand.Passed);
    await app.DisposeAsync();
    return 0;
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
