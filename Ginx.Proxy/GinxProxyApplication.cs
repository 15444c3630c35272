using Ginx.Proxy.Configuration;
using Ginx.Proxy.Management;
using Ginx.Proxy.NginxConf;

namespace Ginx.Proxy;

/// <summary>
/// Composes the proxy application. <c>Program</c> runs it; tests build the very same application
/// around a configuration of their own.
/// </summary>
public static class GinxProxyApplication
{
    /// <summary>Adds Ginx's services to <paramref name="builder"/>, builds it and maps the pipeline.</summary>
    /// <exception cref="ProxyConfigurationException">The proxy configuration is invalid; it has been logged.</exception>
    public static WebApplication Build(WebApplicationBuilder builder)
    {
        builder.AddServiceDefaults();
        builder.AddGinxLastGoodJsonFiles();

        // Before the proxy: the nginx file names the section the proxy reads.
        builder.AddGinxNginxConf();
        builder.AddGinxProxy();

        var startupFailures = new StartupFailureLogFilter();
        foreach (var category in StartupFailureLogFilter.Categories)
        {
            builder.Logging.AddFilter(category, startupFailures.Allows);
        }

        var app = builder.Build();
        app.Lifetime.ApplicationStarted.Register(startupFailures.Started);

        app.UseGinxExceptionHandler();
        app.MapDefaultEndpoints();

        try
        {
            app.Services.GetService<NginxConfStatus>()?.ThrowIfRejectedAtStartup();
            ValidateOptions(app.Services);
            app.MapGinxProxy();
        }
        catch (ProxyConfigurationException exception)
        {
            if (app.Logger.IsEnabled(LogLevel.Critical))
            {
                ProxyConfigurationLog.LogStartupRejected(app.Logger, exception.Message);
            }

            // Flushes the log to every provider, the OTLP exporter included, before the process ends.
            ((IDisposable)app).Dispose();
            throw;
        }

        return app;
    }

    // Options validated on start would otherwise fail later, inside YARP's cluster validation,
    // once per cluster; checked here they fail once, each problem naming its key. A value that
    // does not even convert (Tries = "abc") fails the binding itself, with a message that names
    // the key and the value.
    private static void ValidateOptions(IServiceProvider services)
    {
        try
        {
            services.GetService<Microsoft.Extensions.Options.IStartupValidator>()?.Validate();
        }
        catch (Exception exception) when (exception is Microsoft.Extensions.Options.OptionsValidationException or AggregateException || IsConversionFailure(exception))
        {
            throw ProxyConfigurationException.FromOptions(exception);
        }
    }

    private static bool IsConversionFailure(Exception exception) =>
        exception is InvalidOperationException { InnerException: FormatException or ArgumentException or OverflowException };
}
