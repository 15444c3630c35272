using Ginx.Proxy.Upstream;
using Microsoft.AspNetCore.Http;
using Yarp.ReverseProxy.Forwarder;

namespace Ginx.Tests.Upstream;

/// <summary>
/// Which request-body errors YARP reports count against a request: one that only cut short an upload
/// whose answer was passed on does not; one that came with a broken answer does.
/// </summary>
public sealed class ForwarderErrorsTests
{
    [Theory]
    [InlineData("answered, and the answer stands", false)]
    [InlineData("not answered", true)]
    [InlineData("answered, then replaced by YARP's own 502", true)]
    [InlineData("answered, then the connection was reset", true)]
    public void RequestBodyError_CountsUnlessItOnlyCutShortAnAnsweredUpload(string attempt, bool counts)
    {
        var context = new DefaultHttpContext();
        var attempts = new ProxyAttemptFeature();
        context.Features.Set(attempts);
        attempts.Started();
        context.Response.StatusCode = StatusCodes.Status401Unauthorized;
        if (attempt != "not answered")
        {
            attempts.Answered(StatusCodes.Status401Unauthorized, TimeProvider.System.GetTimestamp());
        }

        if (attempt == "answered, then replaced by YARP's own 502")
        {
            context.Response.StatusCode = StatusCodes.Status502BadGateway;
        }

        using var aborted = new CancellationTokenSource();
        if (attempt == "answered, then the connection was reset")
        {
            aborted.Cancel();
            context.RequestAborted = aborted.Token;
        }

        var error = new BodyNotSent();
        context.Features.Set<IForwarderErrorFeature>(error);

        Assert.Equal(counts ? error : null, ForwarderErrors.Of(context));
    }

    private sealed class BodyNotSent : IForwarderErrorFeature
    {
        public ForwarderError Error => ForwarderError.RequestBodyDestination;

        public Exception? Exception => null;
    }
}
