using Ginx.Proxy.Retries;
using Yarp.ReverseProxy.Configuration;

namespace Ginx.Tests.Configuration;

public sealed class ClusterSettingsTests
{
    private static ClusterConfig Cluster(params (string Key, string Value)[] metadata) => new()
    {
        ClusterId = "backend",
        Metadata = metadata.ToDictionary(entry => entry.Key, entry => entry.Value),
    };

    [Fact]
    public void ResolveFor_EmptyValueForNullableSetting_ClearsTheDefault()
    {
        var defaults = new RetryOptions { TryTimeout = TimeSpan.FromSeconds(30) };
        var problems = new List<string>();

        var resolved = defaults.ResolveFor(Cluster(("TryTimeout", "")), problems);

        Assert.Empty(problems);
        Assert.Null(resolved.TryTimeout);
        Assert.Equal(TimeSpan.FromSeconds(30), defaults.TryTimeout);
    }

    [Fact]
    public void ResolveFor_EmptyValueForSettingThatCannotBeNone_IsAProblemNamingTheKey()
    {
        var problems = new List<string>();

        var resolved = new RetryOptions().ResolveFor(Cluster(("tries", "")), problems);

        var problem = Assert.Single(problems);
        Assert.Equal("Cluster 'backend': Metadata:tries is empty; give it a value, or leave it out to keep the default.", problem);
        Assert.Equal(new RetryOptions().Tries, resolved.Tries);
    }

    [Fact]
    public void Problems_InvalidPropertyAndInvalidRetryOn_ListsBothOnce()
    {
        var options = new RetryOptions { Tries = 0, RetryOn = "error, bogus" };

        var problems = options.Problems().ToList();

        Assert.Equal(2, problems.Count);
        Assert.Contains(problems, problem => problem.Member == nameof(RetryOptions.Tries));
        Assert.Contains(problems, problem => problem.Member == nameof(RetryOptions.RetryOn));
    }

    [Fact]
    public void Problems_OnlyRetryOnInvalid_ListsItOnce()
    {
        var problem = Assert.Single(new RetryOptions { RetryOn = "bogus" }.Problems());

        Assert.Equal(nameof(RetryOptions.RetryOn), problem.Member);
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(100.5)]
    [InlineData(-0.5)]
    public void Problems_BudgetPercentOutsideZeroToHundred_IsAProblem(double percent)
    {
        var problem = Assert.Single(new RetryOptions { BudgetPercent = percent }.Problems());

        Assert.Equal("The field BudgetPercent must be between 0 and 100.", problem.Message);
    }
}
