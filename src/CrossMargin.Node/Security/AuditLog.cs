using Microsoft.Extensions.Options;

namespace CrossMargin.Node.Security;

/// <summary>
/// Who changed what: every admin call and every refused call, written to the <see cref="Category"/> logger (so Serilog
/// routes it with the rest of the log) and kept in a ring of recent entries for <c>GET /api/v1/audit</c>.
/// </summary>
public sealed class AuditLog
{
    /// <summary>The logger category of audit entries.</summary>
    public const string Category = "CrossMargin.Audit";

    private readonly RecentRing<AuditEntry> _recent;
    private readonly ILogger _log;

    /// <summary>Created by the host's container.</summary>
    public AuditLog(IOptions<SecurityOptions> options, ILoggerFactory loggers)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(loggers);
        _recent = new RecentRing<AuditEntry>(options.Value.AuditEntries);
        _log = loggers.CreateLogger(Category);
    }

    /// <summary>Records <paramref name="entry"/>.</summary>
    public void Record(AuditEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        _recent.Add(entry);
        _log.LogInformation("Audit: {Who} from {RemoteAddress} {Method} {Path} -> {Status} {Outcome} {Detail}",
            entry.Who, entry.RemoteAddress, entry.Method, entry.Path, entry.Status, entry.Outcome, entry.Detail ?? "");
    }

    /// <summary>The newest <paramref name="count"/> entries, oldest first.</summary>
    public IReadOnlyList<AuditEntry> Recent(int? count = null) => _recent.Last(count);

    /// <summary>Lets an endpoint say what it did, for the entry the middleware writes when the call ends.</summary>
    public static void Describe(HttpContext context, string detail)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.Items[typeof(AuditEntry)] = detail;
    }
}
