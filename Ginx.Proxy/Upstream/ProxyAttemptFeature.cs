namespace Ginx.Proxy.Upstream;

/// <summary>
/// The attempts a request made on destinations, kept by <see cref="ProxyAttemptTransformProvider"/>
/// whatever steps the pipeline has (Ginx's request step sets it up front; without that step the
/// transform does): how many were sent, and whether and when the destination of the latest one
/// answered, and with what status. The balancer reads the answer time as the destination's
/// latency, error handling reads it as "answered", telemetry reads the count. One is allocated per
/// request: its optional values are a value and a flag rather than nullable fields, whose flags
/// would each be padded to eight bytes.
/// </summary>
internal sealed class ProxyAttemptFeature
{
    private DestinationReservation _reservation;
    private bool _holdsReservation;
    private long _answeredAt;

    /// <summary>
    /// Whether a step further out completes each attempt once the rest of the pipeline has returned
    /// (Ginx's request step does): the balancer then leaves its reservation here (<see cref="Hold"/>) and
    /// hands the request on without awaiting it, one async frame fewer per request. Without such a
    /// step the balancer awaits the attempt and completes it itself.
    /// </summary>
    public bool CompletedOutside { get; init; }

    /// <summary>
    /// When the step further out (see <see cref="CompletedOutside"/>) began the attempt under way: the
    /// balancer's reservation starts then rather than reading the clock again. Only session affinity
    /// and the pick run in between, a few microseconds of the latency the attempt records.
    /// </summary>
    public long BeganAt { get; set; }

    /// <summary>What may hold back a destination's answer for another attempt; null if nothing may (no retries around the balancer).</summary>
    public IAnswerHold? AnswerHold { get; set; }

    /// <summary>Attempts sent to a destination so far; the latest is the one under way or last made.</summary>
    public int Attempts { get; private set; }

    /// <summary>When the destination of the latest attempt sent its response's status and headers; null before.</summary>
    public long? AnsweredAt => DestinationAnswered ? _answeredAt : null;

    /// <summary>The status the destination of the latest attempt answered with, once <see cref="AnsweredAt"/> is set.</summary>
    public int AnsweredStatus { get; private set; }

    /// <summary>The destination of the latest attempt has sent its response's status and headers.</summary>
    public bool DestinationAnswered { get; private set; }

    /// <summary>Leaves the slot the balancer holds for the attempt under way, for the step that completes it.</summary>
    public void Hold(DestinationReservation reservation)
    {
        _reservation = reservation;
        _holdsReservation = true;
    }

    /// <summary>Takes the slot held for the attempt under way, if one is; once taken, it is no longer held.</summary>
    public bool TryTakeReservation(out DestinationReservation reservation)
    {
        reservation = _reservation;
        var held = _holdsReservation;
        _holdsReservation = false;
        return held;
    }

    /// <summary>Notes that another attempt is being sent; it has no answer yet.</summary>
    public void Started()
    {
        Attempts++;
        DestinationAnswered = false;
    }

    /// <summary>Notes that the destination of the latest attempt answered <paramref name="status"/> at <paramref name="timestamp"/>.</summary>
    public void Answered(int status, long timestamp)
    {
        AnsweredStatus = status;
        _answeredAt = timestamp;
        DestinationAnswered = true;
    }
}
