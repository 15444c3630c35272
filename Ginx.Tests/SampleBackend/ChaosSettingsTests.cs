using Ginx.SampleBackend;

namespace Ginx.Tests.SampleBackend;

public sealed class ChaosSettingsTests
{
    private static readonly ChaosSettings Stalling = new() { StallMs = 300, StallEveryMs = 2000 };

    [Theory]
    [InlineData(0, 300)]
    [InlineData(100, 200)]
    [InlineData(299, 1)]
    [InlineData(4_000, 300)]
    [InlineData(4_250, 50)]
    public void StallRemaining_DuringAStall_WaitsUntilItEnds(long nowMs, int expectedMs) =>
        Assert.Equal(TimeSpan.FromMilliseconds(expectedMs), Stalling.StallRemaining(nowMs));

    [Theory]
    [InlineData(300)]
    [InlineData(1_999)]
    [InlineData(6_300)]
    public void StallRemaining_BetweenStalls_IsZero(long nowMs) =>
        Assert.Equal(TimeSpan.Zero, Stalling.StallRemaining(nowMs));

    [Fact]
    public void StallRemaining_WithoutStalls_IsZero() =>
        Assert.Equal(TimeSpan.Zero, ChaosSettings.None.StallRemaining(0));

    [Fact]
    public void Stalling_IsChaos() => Assert.False(Stalling.NoChaos);

    [Fact]
    public void Validate_Stalling_HasNoErrors() => Assert.Empty(Stalling.Validate());

    [Theory]
    [InlineData(-1, 2000, nameof(ChaosSettings.StallMs))]
    [InlineData(300, 300, nameof(ChaosSettings.StallEveryMs))]
    [InlineData(300, 0, nameof(ChaosSettings.StallEveryMs))]
    [InlineData(300, ChaosSettings.MaxStallEveryMs + 1, nameof(ChaosSettings.StallEveryMs))]
    [InlineData(0, 2000, nameof(ChaosSettings.StallEveryMs))]
    public void Validate_BadStall_NamesTheField(int stallMs, int stallEveryMs, string field)
    {
        var errors = new ChaosSettings { StallMs = stallMs, StallEveryMs = stallEveryMs }.Validate();

        Assert.Equal([field], errors.Keys);
    }
}
