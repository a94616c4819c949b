namespace CrossMargin.Actors.Supervision;

/// <summary>What a supervisor does with a child that threw.</summary>
public enum Directive
{
    /// <summary>Keep the instance and its state; drop the failing message and go on.</summary>
    Resume,

    /// <summary>Replace the instance (state is lost); the mailbox is kept and the failing message dropped.</summary>
    Restart,

    /// <summary>Stop the child; its mailbox becomes dead letters.</summary>
    Stop,

    /// <summary>Fail the supervisor itself with the same exception, so its own supervisor decides.</summary>
    Escalate,
}
