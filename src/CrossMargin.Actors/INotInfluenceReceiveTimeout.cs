namespace CrossMargin.Actors;

/// <summary>Marks messages that do not count as activity for <see cref="IActorContext.SetReceiveTimeout"/>.</summary>
public interface INotInfluenceReceiveTimeout
{
}
