using Ginx.Proxy.LoadBalancing;
using Ginx.Proxy.Upstream;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Time.Testing;
using Yarp.ReverseProxy.Model;
using static Ginx.Tests.LoadBalancing.BalancingTestCluster;

namespace Ginx.Tests.LoadBalancing;

public sealed class PeakEwmaLoadBalancingPolicyTests : IDisposable
{
    private readonly FakeTimeProvider _time = new();
    private readonly DefaultHttpContext _context = new();
    private readonly DestinationState[] _destinations = [Destination("slow"), Destination("fast-1"), Destination("fast-2")];
    private readonly PeakEwmaLoadBalancingPolicy _policy;
    private readonly ClusterState _cluster;

    public PeakEwmaLoadBalancingPolicyTests()
    {
        _policy = new PeakEwmaLoadBalancingPolicy(new SeededRandomFactory(42), _time);
        _cluster = Cluster(_destinations);
    }

    public void Dispose() => _policy.Dispose();

    [Theory]
    [InlineData(200, false)]
    [InlineData(0, true)] // fails at once, and must not look fast for it
    public void PickDestination_PeakEwma_SlowOrFailingDestinationLosesEveryComparison(int milliseconds, bool failed)
    {
        Observe(_destinations[0], milliseconds, failed: failed);
        Observe(_destinations[1], 2);
        Observe(_destinations[2], 2);

        var tally = Tally(() => _policy.PickDestination(_context, _cluster, _destinations), 300);

        Assert.False(tally.ContainsKey("slow"));
        Assert.Equal(300, tally["fast-1"] + tally["fast-2"]);
    }

    [Fact]
    public void PickDestination_PeakEwma_OneSlowAnswerLosesTrafficAtOnce()
    {
        for (var i = 0; i < 50; i++)
        {
            Observe(_destinations[0], 2);
            Observe(_destinations[1], 3);
            Observe(_destinations[2], 3);
            _time.Advance(TimeSpan.FromMilliseconds(10));
        }

        Observe(_destinations[0], 200);

        AssertSlowNeverPicked();
    }

    [Fact]
    public void PickDestination_PeakEwma_IdleSlowDestinationIsTriedAgainAsItsLatencyDecays()
    {
        Observe(_destinations[0], 200);

        // The fast ones keep serving (and being measured); the slow one, never picked, is not.
        var tried = TimeSpan.Zero;
        for (var elapsed = TimeSpan.Zero; elapsed < TimeSpan.FromMinutes(1) && tried == TimeSpan.Zero; elapsed += TimeSpan.FromMilliseconds(100))
        {
            Observe(_destinations[1], 2);
            Observe(_destinations[2], 2);
            _time.Advance(TimeSpan.FromMilliseconds(100));
            if (_policy.PickDestination(_context, _cluster, _destinations) == _destinations[0])
            {
                tried = elapsed;
            }
        }

        // 200 ms decays below 2 ms after ln(100) time constants, and not long before.
        var expected = DestinationRuntime.LatencyDecay * Math.Log(100);
        Assert.InRange(tried, expected - TimeSpan.FromSeconds(2), expected + TimeSpan.FromSeconds(2));
    }

    [Fact]
    public void PickDestination_PeakEwma_DestinationNotMeasuredYetTakesOneRequestBeforeItsFirstAnswer()
    {
        Observe(_destinations[1], 2);
        Observe(_destinations[2], 2);

        // 30 picks made at once: the middleware reserves a pick only after it is made, so none of
        // them is in flight yet when the next is made.
        var tally = Tally(() => _policy.PickDestination(_context, _cluster, _destinations), 30);

        Assert.Equal(1, tally.GetValueOrDefault("slow"));
    }

    [Fact]
    public void PickDestination_PeakEwma_DestinationNotMeasuredYetCompetesOnceItHasAnswered()
    {
        Observe(_destinations[1], 2);
        Observe(_destinations[2], 2);
        Tally(() => _policy.PickDestination(_context, _cluster, _destinations), 30);

        Observe(_destinations[0], 1);

        var tally = Tally(() => _policy.PickDestination(_context, _cluster, _destinations), 300);
        Assert.InRange(tally["slow"], 300 * 2 / 3 - 30, 300 * 2 / 3 + 30);
    }

    [Fact]
    public void PickDestination_PeakEwma_NothingMeasuredYetSpreadsTheFirstPicks()
    {
        // Each takes its first request and then an even share, the only thing known being the requests in flight.
        AssertSpreadEvenly(PickBurst(30));
    }

    [Fact]
    public void PickDestination_PeakEwma_IdleSlowDestinationThatOnceHeldManyRequestsDoesNotLookFast()
    {
        // The slow one took a burst of 30 requests before anything was known, and answered each in 50 ms.
        for (var i = 0; i < 30; i++)
        {
            Observe(_destinations[0], 50, load: 30);
        }

        // The fast ones answer in 2 ms with 20 requests in flight each.
        foreach (var fast in _destinations[1..])
        {
            Load(fast, 20);
            for (var i = 0; i < 20; i++)
            {
                Observe(fast, 2, load: 20);
            }
        }

        AssertSlowNeverPicked();
    }

    [Fact]
    public void PickDestination_PeakEwma_RequestsInFlightCountAgainstEqualLatency()
    {
        foreach (var destination in _destinations)
        {
            Observe(destination, 5);
        }

        Load(_destinations[1], 3);

        var tally = Tally(() => _policy.PickDestination(_context, _cluster, _destinations), 300);
        Assert.False(tally.ContainsKey("fast-1"));
    }

    [Fact]
    public void PickDestination_PeakEwma_DestinationNotMeasuredYetTakesOneRequestAtATime()
    {
        Observe(_destinations[1], 2);
        Observe(_destinations[2], 2);
        Load(_destinations[0], 1);

        AssertSlowNeverPicked();
    }

    [Fact]
    public void PickDestination_PeakEwma_OneDestinationIsPicked()
    {
        Assert.Same(_destinations[0], _policy.PickDestination(_context, _cluster, [_destinations[0]]));
    }

    [Fact]
    public void PickDestination_PeakEwma_BusyFastDestinationsBeatAnIdleSlowOne()
    {
        // The fast ones answer in 5 ms with 20 requests in flight each; the slow one in 50 ms alone.
        foreach (var fast in _destinations[1..])
        {
            Load(fast, 20);
            for (var i = 0; i < 20; i++)
            {
                Observe(fast, 5, load: 20);
            }
        }

        Observe(_destinations[0], 50);

        AssertSlowNeverPicked();
    }

    [Fact]
    public void PickDestination_PeakEwma_ConcurrentPicksDoNotHerdOntoADestinationThatJustBecameCheapest()
    {
        // The fast ones answer in 5 ms under 20 requests each, all the time; the slow one answered
        // once, in 50 ms, and has been idle since, until its latency decayed to just under theirs.
        Observe(_destinations[0], 50);
        var slow = DestinationRuntime.Of(_destinations[0]);
        foreach (var fast in _destinations[1..])
        {
            Load(fast, 20);
        }

        while (slow.LatencyMs(_time.GetTimestamp(), _time) > 5)
        {
            _time.Advance(TimeSpan.FromMilliseconds(10));
            Observe(_destinations[1], 5, load: 20);
            Observe(_destinations[2], 5, load: 20);
        }

        // 30 picks before any answer comes back: each is in flight when the next is made.
        var slowPicks = 0;
        for (var i = 0; i < 30; i++)
        {
            var picked = _policy.PickDestination(_context, _cluster, _destinations)!;
            Load(picked, 1);
            slowPicks += picked == _destinations[0] ? 1 : 0;
        }

        // Tried again, once: the request in flight doubles its cost.
        Assert.Equal(1, slowPicks);
    }

    [Fact]
    public void PickDestination_PeakEwma_RecoveredDestinationWinsItsShareBack()
    {
        var slowFor = TimeSpan.FromSeconds(10);
        var picks = new List<(TimeSpan At, DestinationState Picked)>();
        var step = TimeSpan.FromMilliseconds(10);
        for (var elapsed = TimeSpan.Zero; elapsed < TimeSpan.FromMinutes(1); elapsed += step)
        {
            // One pick every 10 ms, each answered before the next: in 2 ms, or 200 ms by the slow one while it is slow.
            var picked = _policy.PickDestination(_context, _cluster, _destinations)!;
            Observe(picked, picked == _destinations[0] && elapsed < slowFor ? 200 : 2);
            picks.Add((elapsed, picked));
            _time.Advance(step);
        }

        var whileSlow = picks.Where(pick => pick.At > TimeSpan.FromSeconds(1) && pick.At < slowFor).ToList();
        Assert.True(whileSlow.Count(pick => pick.Picked == _destinations[0]) < whileSlow.Count / 100, "a slow destination gets under 1 % of the picks");

        // Recovered, it is tried again once its latency has decayed to the others' and takes a third again.
        var lastMinute = picks.Where(pick => pick.At > slowFor + (DestinationRuntime.LatencyDecay * Math.Log(100)) + TimeSpan.FromSeconds(5)).ToList();
        Assert.InRange(lastMinute.Count(pick => pick.Picked == _destinations[0]), lastMinute.Count / 4, lastMinute.Count / 2);
    }

    [Fact]
    public void RecordLatency_UnderLoad_ConvergesPerSampleNotPerSecond()
    {
        var runtime = DestinationRuntime.Of(_destinations[1]);
        for (var i = 0; i < 100; i++)
        {
            Observe(_destinations[1], 2, load: 20);
            _time.Advance(TimeSpan.FromMilliseconds(0.5));
        }

        // A hiccup, then 40 ordinary answers within 20 ms: the estimate is back near 2 ms, not held at the hiccup for seconds.
        Observe(_destinations[1], 300, load: 20);
        Assert.True(runtime.LatencyMs(_time.GetTimestamp(), _time) > 50, "one slow answer counts at once");
        for (var i = 0; i < 40; i++)
        {
            _time.Advance(TimeSpan.FromMilliseconds(0.5));
            Observe(_destinations[1], 2, load: 20);
        }

        Assert.InRange(runtime.LatencyMs(_time.GetTimestamp(), _time), 1.9, 4);
    }

    [Fact]
    public void RecordLatency_AfterLongWithoutAnswers_TakesTheNextAnswerMostlyAsItIs()
    {
        var runtime = DestinationRuntime.Of(_destinations[0]);
        Observe(_destinations[0], 2);
        _time.Advance(TimeSpan.FromMinutes(1));

        Observe(_destinations[0], 2);

        // Not a quarter of the way up from a latency decayed to nothing: it answered in 2 ms.
        Assert.InRange(runtime.LatencyMs(_time.GetTimestamp(), _time), 1.9, 2.1);
    }

    [Fact]
    public void PickDestination_PeakEwma_DestinationTriedAgainAfterLongDoesNotDrawAHerd()
    {
        // The first was slow, then left alone for a minute while the others served 20 requests
        // each in 2 ms; tried again, it answers in 2 ms too.
        Observe(_destinations[0], 50);
        _time.Advance(TimeSpan.FromMinutes(1));
        foreach (var fast in _destinations[1..])
        {
            Load(fast, 20);
            Observe(fast, 2, load: 20);
        }

        Observe(_destinations[0], 2);

        // 30 picks before any answer comes back: it takes about its share, not most of them.
        var picks = 0;
        for (var i = 0; i < 30; i++)
        {
            var picked = _policy.PickDestination(_context, _cluster, _destinations)!;
            Load(picked, 1);
            picks += picked == _destinations[0] ? 1 : 0;
        }

        Assert.InRange(picks, 0, 3);
    }

    [Theory]
    [InlineData(50)]
    [InlineData(3)] // longer than it takes to answer, but before its latency decays measurably
    public void PickDestination_PeakEwma_DestinationThatStopsAnsweringLosesTrafficBeforeItsAnswersComeBack(int stalledForMs)
    {
        foreach (var destination in _destinations)
        {
            Load(destination, 10);
        }

        // All three answer in 2 ms under 10 requests each, every half millisecond, until the first
        // stalls: for the last stalledForMs only the others answer.
        var stalledFrom = TimeSpan.FromMilliseconds(50);
        for (var elapsed = TimeSpan.Zero; elapsed < stalledFrom + TimeSpan.FromMilliseconds(stalledForMs); elapsed += TimeSpan.FromMilliseconds(0.5))
        {
            foreach (var destination in elapsed < stalledFrom ? _destinations : _destinations[1..])
            {
                Observe(destination, 2, load: 10);
            }

            _time.Advance(TimeSpan.FromMilliseconds(0.5));
        }

        AssertSlowNeverPicked();
    }

    [Fact]
    public void PickDestination_PeakEwma_ReplicaLeftIdleIsNotJudgedSilentOnceSentARequest()
    {
        // The first answers in 100 ms under 5 requests, as one stalling does; the second answers in
        // 2 ms every 10 ms; the third answered in 2 ms half a second ago and has had nothing to answer since.
        Observe(_destinations[2], 2);
        for (var i = 0; i < 8; i++)
        {
            Observe(_destinations[0], 100, load: 5);
        }

        Load(_destinations[0], 5, _time.GetTimestamp());
        for (var elapsed = TimeSpan.Zero; elapsed < TimeSpan.FromMilliseconds(500); elapsed += TimeSpan.FromMilliseconds(10))
        {
            Observe(_destinations[1], 2);
            _time.Advance(TimeSpan.FromMilliseconds(10));
        }

        Observe(_destinations[0], 100, load: 5);

        // Sent a request now, the third has been silent for no time at all, not for half a second.
        Load(_destinations[2], 1, _time.GetTimestamp());

        AssertSlowNeverPicked();
    }

    [Fact]
    public void PickDestination_PeakEwma_AfterAnIdleSpellTheFirstBurstIsSpreadNotSentToWhatLookedFastest()
    {
        // The first looked the fastest when the cluster went quiet, at the load it had then.
        foreach (var destination in _destinations)
        {
            for (var i = 0; i < 20; i++)
            {
                Observe(destination, destination == _destinations[0] ? 1 : 3, load: 20);
            }
        }

        _time.Advance(TimeSpan.FromMinutes(1));

        // A minute-old estimate says nothing: an even share each, not most of them to the first.
        AssertSpreadEvenly(PickBurst(30));
    }

    [Fact]
    public void PickDestination_PeakEwma_DestinationUnheardOfForLongTakesOneRequestUntilItAnswers()
    {
        Observe(_destinations[0], 2);
        _time.Advance(PeakEwmaLoadBalancingPolicy.StaleAfter + TimeSpan.FromSeconds(1));
        Observe(_destinations[1], 2);
        Observe(_destinations[2], 2);

        var tally = Tally(() => _policy.PickDestination(_context, _cluster, _destinations), 30);
        Assert.Equal(1, tally.GetValueOrDefault("slow"));

        // Its answer makes it known again, and it competes for its share.
        Observe(_destinations[0], 2);
        tally = Tally(() => _policy.PickDestination(_context, _cluster, _destinations), 300);
        Assert.InRange(tally["slow"], 300 * 2 / 3 - 30, 300 * 2 / 3 + 30);
    }

    [Fact]
    public void PickDestination_PeakEwma_DestinationBackFromASlowSpellEarnsItsShareOverSeconds()
    {
        // Caught once in a stall and priced at 20 ms, the first goes quiet while the others serve.
        // Ten seconds on its estimate has faded below theirs: it wins a pair and answers fast.
        Observe(_destinations[0], 20);
        Serve(_destinations[1..], TimeSpan.FromSeconds(10));
        Observe(_destinations[0], 1);

        // Faster-looking than the others, it would take every pair it is in: it takes none yet.
        var atReturn = Tally(() => _policy.PickDestination(_context, _cluster, _destinations), 300).GetValueOrDefault("slow");
        Serve(_destinations, DestinationRuntime.ReturnRamp + TimeSpan.FromSeconds(1));
        var afterRamp = Tally(() => _policy.PickDestination(_context, _cluster, _destinations), 300).GetValueOrDefault("slow");

        // Past the ramp it competes as any other: at most every pair it is in (two in three picks).
        Assert.Equal(0, atReturn);
        Assert.InRange(afterRamp, 300 / 4, (300 * 2 / 3) + 30);
    }

    [Fact]
    public void ReturnWeight_RampsOnlyADestinationThatAnswersFarFasterThanItWentQuietWith()
    {
        var ramp = (long)(_time.TimestampFrequency * DestinationRuntime.ReturnRamp.TotalSeconds);
        var back = DestinationRuntime.Of(_destinations[0]);
        var idle = DestinationRuntime.Of(_destinations[1]);
        Observe(_destinations[0], 20);
        Observe(_destinations[1], 2);
        _time.Advance(TimeSpan.FromSeconds(10));
        Observe(_destinations[0], 1);
        Observe(_destinations[1], 2);

        Assert.Equal(DestinationRuntime.SlowStartFloor, back.ReturnWeight(_time.GetTimestamp(), ramp));
        Assert.Equal(1, idle.ReturnWeight(_time.GetTimestamp(), ramp));
        _time.Advance(DestinationRuntime.ReturnRamp / 2);
        Assert.Equal(0.5, back.ReturnWeight(_time.GetTimestamp(), ramp), 3);
        _time.Advance(DestinationRuntime.ReturnRamp / 2);
        Assert.Equal(1, back.ReturnWeight(_time.GetTimestamp(), ramp));
    }

    /// <summary>Each of <paramref name="destinations"/> answers a request in 2 ms every 10 ms for <paramref name="period"/>.</summary>
    private void Serve(IReadOnlyList<DestinationState> destinations, TimeSpan period)
    {
        for (var elapsed = TimeSpan.Zero; elapsed < period; elapsed += TimeSpan.FromMilliseconds(10))
        {
            foreach (var destination in destinations)
            {
                Observe(destination, 2);
            }

            _time.Advance(TimeSpan.FromMilliseconds(10));
        }
    }

    /// <summary>Picks made before any answer comes back: each is in flight when the next is made.</summary>
    private List<DestinationState> PickBurst(int count)
    {
        var picks = new List<DestinationState>();
        for (var i = 0; i < count; i++)
        {
            var picked = _policy.PickDestination(_context, _cluster, _destinations)!;
            Load(picked, 1);
            picks.Add(picked);
        }

        return picks;
    }

    private void AssertSpreadEvenly(List<DestinationState> picks)
    {
        var share = picks.Count / _destinations.Length;
        Assert.All(_destinations, destination => Assert.InRange(picks.Count(picked => picked == destination), share - 2, share + 2));
    }

    private void AssertSlowNeverPicked()
    {
        var tally = Tally(() => _policy.PickDestination(_context, _cluster, _destinations), 300);
        Assert.False(tally.ContainsKey("slow"));
    }

    private void Observe(DestinationState destination, int milliseconds, int load = 1, bool failed = false) =>
        DestinationRuntime.Of(destination).RecordLatency(TimeSpan.FromMilliseconds(milliseconds), load, failed, _time.GetTimestamp(), _time);
}
