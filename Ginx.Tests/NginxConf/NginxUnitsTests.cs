using Ginx.Proxy.NginxConf;

namespace Ginx.Tests.NginxConf;

public sealed class NginxUnitsTests
{
    [Theory]
    [InlineData("500ms", 500)]
    [InlineData("10s", 10_000)]
    [InlineData("10", 10_000)]
    [InlineData("1m", 60_000)]
    [InlineData("1h", 3_600_000)]
    [InlineData("1d", 86_400_000)]
    [InlineData("1h30m", 5_400_000)]
    [InlineData("1h 30m", 5_400_000)]
    [InlineData("0", 0)]
    public void TryParseTime_NginxTime_IsThatManyMilliseconds(string text, long milliseconds)
    {
        Assert.True(NginxUnits.TryParseTime(text, out var time));
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), time);
    }

    [Theory]
    [InlineData("")]
    [InlineData("soon")]
    [InlineData("10x")]
    [InlineData("-1s")]
    [InlineData("1.5s")]
    [InlineData("10 1h")]
    public void TryParseTime_NotATime_IsRefused(string text) => Assert.False(NginxUnits.TryParseTime(text, out _));

    [Theory]
    [InlineData("512", 512)]
    [InlineData("16k", 16 * 1024)]
    [InlineData("16K", 16 * 1024)]
    [InlineData("1m", 1024 * 1024)]
    [InlineData("2M", 2 * 1024 * 1024)]
    [InlineData("1g", 1024L * 1024 * 1024)]
    [InlineData("0", 0)]
    public void TryParseSize_NginxSize_IsThatManyBytes(string text, long bytes)
    {
        Assert.True(NginxUnits.TryParseSize(text, out var size));
        Assert.Equal(bytes, size);
    }

    [Theory]
    [InlineData("")]
    [InlineData("k")]
    [InlineData("12q")]
    [InlineData("-1k")]
    [InlineData("1.5m")]
    public void TryParseSize_NotASize_IsRefused(string text) => Assert.False(NginxUnits.TryParseSize(text, out _));
}
