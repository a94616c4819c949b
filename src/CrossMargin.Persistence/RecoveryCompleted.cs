namespace CrossMargin.Persistence;

/// <summary>The last message of recovery: state is current and commands follow.</summary>
public sealed class RecoveryCompleted
{
    private RecoveryCompleted()
    {
    }

    /// <summary>The only instance.</summary>
    public static RecoveryCompleted Instance { get; } = new();
}
