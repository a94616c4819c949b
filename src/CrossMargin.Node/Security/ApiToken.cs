namespace CrossMargin.Node.Security;

/// <summary>One bearer token of <see cref="SecurityOptions.Tokens"/>; its key there is the name the audit log records.</summary>
public sealed class ApiToken
{
    /// <summary>The secret presented as <c>Authorization: Bearer ...</c>; at least <see cref="SecurityOptions.MinimumTokenLength"/> characters.</summary>
    public string Token { get; set; } = "";

    /// <summary>What the token may do (default <see cref="ApiRole.Admin"/>).</summary>
    public ApiRole Role { get; set; } = ApiRole.Admin;
}
