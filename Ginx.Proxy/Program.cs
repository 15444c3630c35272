using Ginx.Proxy;
using Ginx.Proxy.Configuration;
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

app.Run();
return 0;

/// <summary>The proxy's entry point.</summary>
public partial class Program;
