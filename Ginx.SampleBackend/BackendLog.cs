namespace Ginx.SampleBackend;

internal static partial class BackendLog
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Warning, Message = "Chaos set: {Chaos}")]
    public static partial void ChaosSet(ILogger logger, ChaosSettings chaos);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "Chaos healed")]
    public static partial void ChaosHealed(ILogger logger);
}
