using CrossMargin.Contracts;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;

namespace CrossMargin.Node.Security;

/// <summary>
/// Checks every request against the <see cref="AccessLevel"/> its endpoint needs and the request size limit, answers
/// refusals as problem details (401 without a token, 403 with a wrong or insufficient one, 413 too large), records the
/// <see cref="Caller"/> for endpoints and audits admin calls and refusals.
/// </summary>
public sealed class SecurityMiddleware(RequestDelegate next, TokenAuthenticator tokens, IOptions<SecurityOptions> options, AuditLog audit, TimeProvider time)
{
    /// <summary>Largest request body accepted, for every endpoint: the contract's batch limit (message endpoints hold messages to less).</summary>
    public const long MaxRequestBodyBytes = ContractReader.MaxBatchBytes;

    /// <summary>The status an admin call is audited with when its caller left before the answer (nginx's 499: no response was sent).</summary>
    public const int ClientClosedRequest = 499;

    private static readonly HashSet<string> CredentialNames = new(
        ["access_token", "token", "bearer", "api_key", "apikey", "key", "secret", "password", "authorization", "auth"], StringComparer.OrdinalIgnoreCase);

    /// <summary>Runs the check, then the rest of the pipeline.</summary>
    public async Task InvokeAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var request = context.Request;
        var level = context.GetEndpoint()?.Metadata.GetMetadata<RequiredAccess>()?.Level
                    ?? (HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method) ? AccessLevel.Read : AccessLevel.Admin);
        var remote = Caller.RemoteOf(context);
        var (caller, refusal) = Check(request, level, remote);
        context.Items[typeof(Caller)] = caller;
        if (refusal is { } refused)
        {
            if (refused.Status == StatusCodes.Status401Unauthorized)
            {
                context.Response.Headers.WWWAuthenticate = "Bearer";
            }

            Audit(context, caller, refused.Status, "refused", refused.Detail);
            await Results.Problem(refused.Detail, statusCode: refused.Status, title: refused.Title).ExecuteAsync(context);
            return;
        }

        if (request.ContentLength > MaxRequestBodyBytes)
        {
            Audit(context, caller, StatusCodes.Status413PayloadTooLarge, "refused", "body too large");
            await Results.Problem($"The request body is {request.ContentLength} bytes; at most {MaxRequestBodyBytes} are accepted.",
                statusCode: StatusCodes.Status413PayloadTooLarge, title: "Request too large").ExecuteAsync(context);
            return;
        }

        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
        {
            size.MaxRequestBodySize = MaxRequestBodyBytes;
        }

        if (level != AccessLevel.Admin)
        {
            await next(context);
            return;
        }

        var answered = false;
        try
        {
            await next(context);
            answered = true;
        }
        finally
        {
            // An admin call is audited however it ended: a caller that left (or an exception) before the answer does not
            // stop a change already handed to the coordinator, so who asked for it must still be on record.
            var detail = context.Items[typeof(AuditEntry)] as string;
            if (answered)
            {
                var status = context.Response.StatusCode;
                Audit(context, caller, status, status < 400 ? "done" : "failed", detail);
            }
            else
            {
                var left = context.RequestAborted.IsCancellationRequested;
                Audit(context, caller, left ? ClientClosedRequest : StatusCodes.Status500InternalServerError, "failed",
                    (left ? "the caller left before the answer" : "failed before answering") + ": outcome unknown, the change may still be made"
                    + (detail is null ? "" : $" ({detail})"));
            }
        }
    }

    private (Caller Caller, (int Status, string Title, string Detail)? Refusal) Check(HttpRequest request, AccessLevel level, string remote)
    {
        var header = request.Headers.Authorization.ToString();
        var presented = header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header["Bearer ".Length..].Trim() : null;
        var found = presented is null ? null : tokens.Find(presented);
        var caller = found is { } f ? new Caller(f.Name, f.Role, remote) : new Caller("anonymous", null, remote);
        var security = options.Value;
        var needed = level switch
        {
            AccessLevel.Anonymous => (ApiRole?)null,
            AccessLevel.Read => security.AllowAnonymousReads ? null : ApiRole.Read,
            AccessLevel.Ingest => security.RequireTokenForIngest ? ApiRole.Ingest : null,
            _ => ApiRole.Admin,
        };
        if (needed is not { } role)
        {
            // A wrong token is refused even where none is needed: a client sending a bad secret should hear of it.
            return presented is not null && found is null ? (caller, Forbidden("The bearer token is not valid.")) : (caller, null);
        }

        if (presented is null)
        {
            var detail = level == AccessLevel.Admin && !tokens.HasTokens
                ? "This call changes the node's state and needs an admin bearer token; none is configured (Security:Tokens in config/security.json or CROSSMARGIN_Security__Tokens__NAME__Token)."
                : $"This call needs 'Authorization: Bearer <token>' with a token of role {role.ToString().ToLowerInvariant()} or above.";
            return (caller, (StatusCodes.Status401Unauthorized, "Authentication required", detail));
        }

        if (found is not { } token)
        {
            return (caller, Forbidden("The bearer token is not valid."));
        }

        return token.Role >= role
            ? (caller, null)
            : (caller, Forbidden($"Token '{token.Name}' has role {token.Role.ToString().ToLowerInvariant()}; this call needs {role.ToString().ToLowerInvariant()}."));
    }

    private static (int, string, string) Forbidden(string detail) => (StatusCodes.Status403Forbidden, "Forbidden", detail);

    private void Audit(HttpContext context, Caller caller, int status, string outcome, string? detail) =>
        audit.Record(new AuditEntry(time.GetUtcNow(), caller.Name, caller.RemoteAddress, context.Request.Method,
            AuditedPath(context.Request), status, outcome, detail));

    // A token is never taken from the query string, but a client that cannot set headers (or an operator pasting a URL)
    // may put one there; the audit is served to readers (GET /api/v1/audit, the log), so the secret must not reach it:
    // a parameter named as a credential, or whose value is a configured token under any name, is written as "redacted".
    private string AuditedPath(HttpRequest request)
    {
        if (!request.QueryString.HasValue)
        {
            return request.Path.ToString();
        }

        var redacted = false;
        var parameters = new List<KeyValuePair<string, string?>>();
        foreach (var (key, values) in request.Query)
        {
            foreach (var value in values)
            {
                var secret = CredentialNames.Contains(key) || (!string.IsNullOrEmpty(value) && tokens.Find(value) is not null);
                redacted |= secret;
                parameters.Add(new(key, secret ? "redacted" : value));
            }
        }

        return request.Path + (redacted ? QueryString.Create(parameters) : request.QueryString).ToString();
    }
}
