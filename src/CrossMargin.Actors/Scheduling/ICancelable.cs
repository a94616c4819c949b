namespace CrossMargin.Actors.Scheduling;

/// <summary>A scheduled delivery that can be called off.</summary>
public interface ICancelable
{
    /// <summary>Whether <see cref="Cancel"/> was called.</summary>
    bool IsCancellationRequested { get; }

    /// <summary>Stops further deliveries. A delivery already under way may still arrive.</summary>
    void Cancel();
}
