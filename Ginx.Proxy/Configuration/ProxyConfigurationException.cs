namespace Ginx.Proxy.Configuration;

/// <summary>
/// The proxy configuration cannot be used. The message lists every problem on its own line, each
/// naming the route, cluster, destination or key at fault, so an operator can fix them all at once.
/// </summary>
public sealed class ProxyConfigurationException : Exception
{
    /// <summary>Creates the exception from the problems found.</summary>
    public ProxyConfigurationException(IReadOnlyList<string> problems, Exception? innerException = null)
        : base(Format(problems), innerException)
    {
        Problems = problems;
    }

    /// <summary>One line per problem.</summary>
    public IReadOnlyList<string> Problems { get; }

    /// <summary>
    /// Flattens the chain YARP throws (an <see cref="InvalidOperationException"/> wrapping an
    /// <see cref="AggregateException"/> of one exception per problem) into one line per problem.
    /// </summary>
    /// <param name="exception">What YARP threw.</param>
    /// <param name="section">
    /// The section YARP read. When YARP failed to parse a value or an address, its message does not
    /// say which key held it; the keys found in the section are reported instead.
    /// </param>
    public static ProxyConfigurationException FromYarp(Exception exception, IConfigurationSection section)
    {
        var problems = new List<string>(ProxyConfigurationDiagnostics.Explain(section));
        if (problems.Count == 0)
        {
            Collect(exception, problems);
        }

        return new ProxyConfigurationException(problems, exception);
    }

    /// <summary>Lists every failure of options validated at start-up, one line each.</summary>
    public static ProxyConfigurationException FromOptions(Exception exception)
    {
        var failures = exception is AggregateException aggregate ? aggregate.InnerExceptions : [exception];
        var problems = failures
            .SelectMany(failure => failure is Microsoft.Extensions.Options.OptionsValidationException validation ? validation.Failures : [failure.Message])
            .ToList();
        return new ProxyConfigurationException(problems, exception);
    }

    private static void Collect(Exception exception, List<string> problems)
    {
        switch (exception)
        {
            case AggregateException aggregate:
                foreach (var inner in aggregate.InnerExceptions)
                {
                    Collect(inner, problems);
                }

                break;
            case { InnerException: { } inner } when IsWrapper(exception):
                Collect(inner, problems);
                break;
            case { InnerException: { } inner }:
                problems.Add($"{exception.Message} {inner.Message}");
                break;
            default:
                problems.Add(exception.Message);
                break;
        }
    }

    // YARP's own envelopes say only that something failed; the problem is what they wrap.
    private static bool IsWrapper(Exception exception) =>
        exception.Message.StartsWith("Unable to load or apply the proxy configuration", StringComparison.Ordinal)
        || exception.Message.StartsWith("The proxy config is invalid", StringComparison.Ordinal);

    private static string Format(IReadOnlyList<string> problems) =>
        "The proxy configuration is invalid:" + string.Concat(problems.Select(problem => Environment.NewLine + "  - " + problem));
}
