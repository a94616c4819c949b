using System.Text;

namespace CrossMargin.Actors;

/// <summary>
/// The hierarchical name of an actor: <c>cm://system/user/parent/child</c>. Built on demand, so an actor
/// does not pay for its path string until someone asks for it.
/// </summary>
public sealed class ActorPath : IEquatable<ActorPath>
{
    /// <summary>The scheme every local path starts with.</summary>
    public const string Scheme = "cm";

    private ActorPath(string systemName, ActorPath? parent, string name, int depth)
    {
        SystemName = systemName;
        Parent = parent;
        Name = name;
        Depth = depth;
    }

    /// <summary>The actor system's name.</summary>
    public string SystemName { get; }

    /// <summary>The parent's path, or null for the root.</summary>
    public ActorPath? Parent { get; }

    /// <summary>The last element; empty for the root.</summary>
    public string Name { get; }

    /// <summary>Number of elements below the root.</summary>
    public int Depth { get; }

    /// <summary>The root path of a system, <c>cm://name/</c>.</summary>
    public static ActorPath Root(string systemName) => new(systemName, null, "", 0);

    /// <summary>The path of a child called <paramref name="name"/>.</summary>
    public ActorPath Child(string name) => new(SystemName, this, name, Depth + 1);

    /// <summary>The elements below the root, top first.</summary>
    public IReadOnlyList<string> Elements
    {
        get
        {
            var elements = new string[Depth];
            for (var p = this; p.Parent is not null; p = p.Parent)
            {
                elements[p.Depth - 1] = p.Name;
            }

            return elements;
        }
    }

    /// <inheritdoc />
    public bool Equals(ActorPath? other)
    {
        if (other is null || other.Depth != Depth || other.SystemName != SystemName)
        {
            return false;
        }

        for (ActorPath? a = this, b = other; a is not null && b is not null; a = a.Parent, b = b.Parent)
        {
            if (ReferenceEquals(a, b))
            {
                return true;
            }

            if (a.Name != b.Name)
            {
                return false;
            }
        }

        return true;
    }

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as ActorPath);

    /// <inheritdoc />
    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(SystemName, StringComparer.Ordinal);
        for (var p = this; p is not null; p = p.Parent)
        {
            hash.Add(p.Name, StringComparer.Ordinal);
        }

        return hash.ToHashCode();
    }

    /// <inheritdoc />
    public override string ToString()
    {
        var builder = new StringBuilder(Scheme).Append("://").Append(SystemName).Append('/');
        var elements = Elements;
        for (var i = 0; i < elements.Count; i++)
        {
            if (i > 0)
            {
                builder.Append('/');
            }

            builder.Append(elements[i]);
        }

        return builder.ToString();
    }
}
