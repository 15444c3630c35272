using Ginx.Proxy.Retries;
using Ginx.Proxy.Upstream;
using Ginx.Tests.LoadBalancing;
using Ginx.Tests.Support;
using Microsoft.AspNetCore.Http;

namespace Ginx.Tests.Retries;

public sealed class RetryStateTests
{
    // A budget of exactly one retry.
    private readonly RetryOptions _options = new() { BudgetPercent = 0, BudgetMinRetries = 1 };
    private readonly RetryBudget _budget = new(TimeProvider.System);

    [Fact]
    public void TryHoldBack_OnlyChecksTheBudget_TheRetryIsPaidForWhenMade()
    {
        var retry = FirstAttemptAnswered();

        Assert.True(retry.TryHoldBack(StatusCodes.Status503ServiceUnavailable));

        // The middleware may still decline the retry (the client left, the body outgrew the copy):
        // holding the answer back must not have spent the one retry the budget allows.
        Assert.True(retry.TryAcquireRetry());
        Assert.False(retry.TryAcquireRetry());
    }

    [Fact]
    public void TryHoldBack_BudgetSpent_AnswerGoesOut()
    {
        Assert.True(_budget.TryAcquireRetry(_options, out _));

        Assert.False(FirstAttemptAnswered().TryHoldBack(StatusCodes.Status503ServiceUnavailable));
    }

    [Theory]
    [InlineData(true)] // Given back: another destination served it.
    [InlineData(false)] // Failed too: stays spent.
    public void Settle_GivesBackOnlyARetryAnsweredWell(bool answeredWell)
    {
        var retry = FirstAttemptAnswered();
        Assert.True(retry.TryAcquireRetry());

        retry.Settle(answeredWell
            ? new AttemptResult(AttemptVerdict.Answered, RetryConditions.None, NeverReachedDestination: false, Error: null)
            : new AttemptResult(AttemptVerdict.ServerError, RetryConditions.Http503, NeverReachedDestination: false, Error: null));

        Assert.Equal(answeredWell, FirstAttemptAnswered().TryAcquireRetry());
    }

    /// <summary>A GET without a body whose first attempt went to the first of two destinations.</summary>
    private RetryState FirstAttemptAnswered()
    {
        var cluster = BalancingTestCluster.Cluster(2);
        var proxy = new TestReverseProxyFeature(cluster) { ProxiedDestination = cluster.DestinationsState.AllDestinations[0] };
        return new RetryState(_options, _budget, proxy, idempotent: true, hasBody: false, body: null);
    }
}
