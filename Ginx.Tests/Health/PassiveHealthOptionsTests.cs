using Ginx.Proxy.Health;

namespace Ginx.Tests.Health;

public sealed class PassiveHealthOptionsTests
{
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(1);

    public static TheoryData<TimeSpan, bool> FailTimeouts() => new()
    {
        { PassiveHealthOptions.FailTimeoutRange.Minimum - Tick, false },
        { PassiveHealthOptions.FailTimeoutRange.Minimum, true },
        { PassiveHealthOptions.FailTimeoutRange.Maximum, true },
        { PassiveHealthOptions.FailTimeoutRange.Maximum + Tick, false },
    };

    // The nginx translation checks fail_timeout against FailTimeoutRange: the options must accept exactly that range.
    [Theory]
    [MemberData(nameof(FailTimeouts))]
    public void Problems_FailTimeout_AcceptsExactlyFailTimeoutRange(TimeSpan failTimeout, bool accepted)
    {
        var problems = new PassiveHealthOptions { FailTimeout = failTimeout }.Problems().ToList();

        Assert.Equal(accepted, problems.Count == 0);
        Assert.Equal(!accepted, problems.Exists(problem => problem.Member == nameof(PassiveHealthOptions.FailTimeout)));
        Assert.Equal(TimeSpan.FromMilliseconds(10), PassiveHealthOptions.FailTimeoutRange.Minimum);
        Assert.Equal(TimeSpan.FromHours(1), PassiveHealthOptions.FailTimeoutRange.Maximum);
    }
}
