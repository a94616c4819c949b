namespace CrossMargin.Node.Security;

/// <summary>Tags endpoints with the <see cref="AccessLevel"/> they need.</summary>
public static class SecurityEndpointExtensions
{
    /// <summary>The endpoints need <paramref name="level"/>.</summary>
    public static TBuilder RequireAccess<TBuilder>(this TBuilder builder, AccessLevel level)
        where TBuilder : IEndpointConventionBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Add(endpoint => endpoint.Metadata.Add(new RequiredAccess(level)));
        return builder;
    }
}
