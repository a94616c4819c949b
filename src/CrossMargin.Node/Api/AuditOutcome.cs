using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc;

namespace CrossMargin.Node.Api;

/// <summary>
/// The audit detail of an operator's change, from the answer it got: what was done when it succeeded; otherwise what was
/// asked and how it ended instead: refused (4xx) or failed (5xx) with the code and reason, or not answered in time
/// (<c>noLiquidationSingleton</c>, <see cref="LiquidationAnswers.TimedOutCode"/>), whose outcome is unknown, or never
/// received by a coordinator or fund that had stopped (<see cref="LiquidationAnswers.StoppedCode"/>). The entry's
/// status alone did not say it: its detail read as done whatever the answer.
/// </summary>
internal static class AuditOutcome
{
    /// <summary>The codes of a request nobody answered in time: it may yet be carried out.</summary>
    private static readonly string[] Unanswered = ["noLiquidationSingleton", LiquidationAnswers.TimedOutCode];

    /// <summary>The detail for <paramref name="result"/>: <paramref name="done"/> when it succeeded, else <paramref name="asked"/> and how it ended.</summary>
    public static string Of(IResult result, string done, string asked)
    {
        var status = (result as IStatusCodeHttpResult)?.StatusCode ?? StatusCodes.Status200OK;
        if (status < StatusCodes.Status400BadRequest)
        {
            return done;
        }

        var (code, reason) = CodeAndReason((result as IValueHttpResult)?.Value);
        var how = code is not null && Unanswered.Contains(code) ? "not answered in time, outcome unknown"
            : code == LiquidationAnswers.StoppedCode ? "not carried out"
            : status >= StatusCodes.Status500InternalServerError ? "failed"
            : "refused";
        var answer = string.Join(' ', new[] { status.ToString(CultureInfo.InvariantCulture), code }.OfType<string>());
        return reason is null ? $"{asked}: {how} ({answer})" : $"{asked}: {how} ({answer}): {reason}";
    }

    /// <summary>The code and reason of an answer's body: an outcome, a problem, or either as relayed from the node that answered.</summary>
    private static (string? Code, string? Reason) CodeAndReason(object? body) => body switch
    {
        MessageOutcome outcome => (outcome.Code, outcome.Reason),
        ProblemDetails problem => (problem.Title, problem.Detail),
        JsonElement { ValueKind: JsonValueKind.Object } relayed => (Text(relayed, "code") ?? Text(relayed, "title"), Text(relayed, "reason") ?? Text(relayed, "detail")),
        _ => (null, null),
    };

    private static string? Text(JsonElement body, string name) =>
        body.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
