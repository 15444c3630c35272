namespace Ginx.AppHost;

/// <summary>
/// Every project exports its spans and logs on one short schedule, so a trace shows whole in the
/// dashboard: with each process batching on its own timer (Aspire's default is 1 s, and only in
/// Development), the newest rows of the Traces page show a replica's span alone until the proxy's
/// arrives.
/// </summary>
internal static class TelemetryExportSchedule
{
    /// <summary>How long a span or log record may wait in its process before it is exported, in milliseconds.</summary>
    public const string DelayMilliseconds = "200";

    public static IDistributedApplicationBuilder WithShortTelemetryExportSchedule(this IDistributedApplicationBuilder builder)
    {
        // At start, so projects added after this call get it too.
        builder.Eventing.Subscribe<BeforeStartEvent>((start, _) =>
        {
            foreach (var project in start.Model.Resources.OfType<ProjectResource>())
            {
                project.Annotations.Add(new EnvironmentCallbackAnnotation(environment =>
                {
                    environment["OTEL_BSP_SCHEDULE_DELAY"] = DelayMilliseconds;
                    environment["OTEL_BLRP_SCHEDULE_DELAY"] = DelayMilliseconds;
                }));
            }

            return Task.CompletedTask;
        });
        return builder;
    }
}
