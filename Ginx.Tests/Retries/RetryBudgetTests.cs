using Ginx.Proxy.Retries;
using Microsoft.Extensions.Time.Testing;

namespace Ginx.Tests.Retries;

/// <summary>
/// The budget's limit in a first burst, which the README states: in the window's first moments the
/// floor (<see cref="RetryOptions.BudgetMinRetries"/>) is all there is, so of 32 concurrent first
/// requests, about 11 of which meet a failing one of three destinations, only 10 may be retried.
/// </summary>
public sealed class RetryBudgetTests
{
    [Fact]
    public void TryAcquireRetry_FirstBurstOf32_AllowsExactlyTheFloor_ThenAShareOfTheWindowsRequests()
    {
        var time = new FakeTimeProvider();
        var budget = new RetryBudget(time);
        var options = new RetryOptions();
        for (var i = 0; i < 32; i++)
        {
            budget.RecordRequest(options.BudgetWindow, time.GetTimestamp());
        }

        var allowed = Enumerable.Range(0, 32).Count(attempt => budget.TryAcquireRetry(options, out _));

        // 20% of 32 is 6: the floor of 10 is the limit, so the 11th failing first request is not retried.
        Assert.Equal(options.BudgetMinRetries, allowed);

        // Once the window has seen enough requests, the share takes over from the floor.
        for (var i = 0; i < 100; i++)
        {
            budget.RecordRequest(options.BudgetWindow, time.GetTimestamp());
        }

        Assert.Equal((int)(132 * options.BudgetPercent / 100) - options.BudgetMinRetries,
            Enumerable.Range(0, 32).Count(attempt => budget.TryAcquireRetry(options, out _)));
    }
}
