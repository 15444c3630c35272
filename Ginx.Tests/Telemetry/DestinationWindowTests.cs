using Ginx.Proxy.Telemetry;

namespace Ginx.Tests.Telemetry;

public sealed class DestinationWindowTests
{
    [Theory]
    [InlineData(0.05)]
    [InlineData(1)]
    [InlineData(3.7)]
    [InlineData(42)]
    [InlineData(250)]
    [InlineData(1900)]
    public void Percentile_OneLatency_WithinTheBucketsResolution(double milliseconds)
    {
        var counts = new long[LatencyHistogram.Buckets];
        counts[LatencyHistogram.IndexOf(TimeSpan.FromMilliseconds(milliseconds))] = 1;

        var p99 = LatencyHistogram.Percentile(counts, 0.99)!.Value;

        Assert.InRange(p99, milliseconds * 0.88, milliseconds * 1.12);
    }

    [Fact]
    public void IndexOf_BeyondTheLastBucket_CountsInTheLast()
    {
        Assert.Equal(LatencyHistogram.Buckets - 1, LatencyHistogram.IndexOf(TimeSpan.FromHours(1)));
        Assert.Equal(0, LatencyHistogram.IndexOf(TimeSpan.Zero));
    }

    [Fact]
    public void Window_HundredRequestsOneSlow_P50IsTheFastP99TheSlow()
    {
        var window = new DestinationWindow();
        for (var i = 0; i < 98; i++)
        {
            window.Record(100, TimeSpan.FromMilliseconds(2));
        }

        window.Record(101, TimeSpan.FromMilliseconds(400));
        window.Record(101, TimeSpan.FromMilliseconds(400));

        var figures = window.Window(102);

        Assert.Equal(100, figures.Requests);
        Assert.InRange(figures.P50Ms!.Value, 1.76, 2.24);
        Assert.InRange(figures.P99Ms!.Value, 352, 448);
    }

    [Fact]
    public void Window_CountsCompleteSecondsOfTheLastTen_NotTheCurrentOne()
    {
        var window = new DestinationWindow();
        window.Record(100, TimeSpan.FromMilliseconds(1));
        window.Record(109, TimeSpan.FromMilliseconds(1));

        Assert.Equal(0, window.Window(100).Requests);
        Assert.Equal(2, window.Window(110).Requests);
        Assert.Equal(1, window.Window(111).Requests);
        Assert.Equal(0, window.Window(120).Requests);
        Assert.Null(window.Window(120).P99Ms);
    }

    [Fact]
    public void Record_ASecondLaterRoundTheRing_ReplacesTheOldCounts()
    {
        var window = new DestinationWindow();
        window.Record(100, TimeSpan.FromMilliseconds(1));
        window.Record(100 + 12, TimeSpan.FromMilliseconds(1));
        // A straggler for a period whose slot has been reused since is dropped.
        window.Record(100, TimeSpan.FromMilliseconds(1));

        Assert.Equal(1, window.Window(113).Requests);
    }

    [Fact]
    public void History_FiveMinutesOfIntervals_OldestFirst()
    {
        var window = new DestinationWindow();
        var now = 10_000L;
        // 10 requests in the last complete interval, and one in the oldest that still shows, 5 minutes back.
        var lastInterval = ((now / DestinationWindow.HistoryIntervalSeconds) - 1) * DestinationWindow.HistoryIntervalSeconds;
        for (var i = 0; i < 10; i++)
        {
            window.Record(lastInterval, TimeSpan.FromMilliseconds(8));
        }

        window.Record(lastInterval - ((DestinationWindow.HistoryPoints - 1) * DestinationWindow.HistoryIntervalSeconds), TimeSpan.FromMilliseconds(1));

        var history = window.History(now);

        Assert.Equal(DestinationWindow.HistoryPoints, history.RequestsPerSecond.Length);
        Assert.Equal(10.0 / DestinationWindow.HistoryIntervalSeconds, history.RequestsPerSecond[^1]);
        Assert.InRange(history.P99Ms[^1]!.Value, 7.04, 8.96);
        Assert.Equal(1.0 / DestinationWindow.HistoryIntervalSeconds, history.RequestsPerSecond[0]);
        Assert.Null(history.P99Ms[1]);
        Assert.Equal(0, history.RequestsPerSecond[1]);
    }
}
