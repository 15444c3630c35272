using Ginx.Proxy;
using Ginx.Proxy.Configuration;

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
