using CrossMargin.Actors;

namespace CrossMargin.Node.Tests.Api;

/// <summary>Stands in for the coordinator or the fund: answers every message with <c>answer</c>, or never when it is null.</summary>
internal sealed class FixedAnswerActor : ReceiveActor
{
    public FixedAnswerActor(object? answer) => ReceiveAny(_ =>
    {
        if (answer is not null)
        {
            Sender.Tell(answer, Self);
        }
    });
}
