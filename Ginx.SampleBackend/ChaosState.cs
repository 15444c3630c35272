namespace Ginx.SampleBackend;

/// <summary>The chaos settings in force, swapped whole so a request never sees half an update.</summary>
public sealed class ChaosState
{
    private volatile ChaosSettings _current = ChaosSettings.None;

    /// <summary>The settings in force.</summary>
    public ChaosSettings Current
    {
        get => _current;
        set => _current = value;
    }
}
