using System.CommandLine;
using System.Globalization;
using CrossMargin.Risk.Serialization;
using CrossMargin.Risk.Stress;

namespace CrossMargin.Cli.Commands;

/// <summary>
/// The <c>cm stress portfolio</c> command, offline: one portfolio under named or ad-hoc shocks (P&amp;L, the margin state before and after,
/// shortfall), and optionally the reverse stress (the smallest uniform move that makes it bankrupt).
/// </summary>
public static class PortfolioStressCommand
{
    /// <summary>Creates the <c>portfolio</c> subcommand of <c>stress</c>, writing to the given streams.</summary>
    public static Command Create(TextWriter output, TextWriter error)
    {
        var portfolio = new Option<FileInfo>("--portfolio") { Description = "Portfolio JSON file.", Required = true };
        var market = new Option<FileInfo>("--market") { Description = "Market snapshot JSON file.", Required = true };
        var parameters = new Option<FileInfo>("--params") { Description = "Risk parameter file; its stress.scenarios are the named stresses.", Required = true };
        var scenario = new Option<string?>("--scenario") { Description = "A named stress of the parameter file (default: every named stress, unless --spot or --vol is given)." };
        var spot = new Option<string?>("--spot") { Description = "Ad-hoc spot moves, e.g. BTC=-0.3,ETH=-0.35 (* for every other underlying)." };
        var vol = new Option<string?>("--vol") { Description = "Ad-hoc vol shifts in vol points as fractions, e.g. BTC=0.2 (* for every other underlying)." };
        var reverse = new Option<bool>("--reverse") { Description = "Also find the smallest uniform move, down and up, that makes the pool bankrupt." };
        var model = new Option<string?>("--model") { Description = "The pool's model instead of the file's (standard, portfolio, simm, var, es, composite)." };
        var json = new Option<bool>("--json") { Description = "Write JSON instead of text." };
        var command = new Command("portfolio", "Offline: P&L and margin state of a portfolio after named or ad-hoc shocks; --reverse for the move that makes it bankrupt.")
        {
            portfolio, market, parameters, scenario, spot, vol, reverse, model, json,
        };
        command.SetAction(r => Run(new StressRequest(r.GetValue(portfolio)!.FullName, r.GetValue(market)!.FullName, r.GetValue(parameters)!.FullName,
            r.GetValue(scenario), r.GetValue(spot), r.GetValue(vol), r.GetValue(reverse), r.GetValue(model), r.GetValue(json)), output, error));
        return command;
    }

    /// <summary>Runs the stress; returns 0, or 2 with one line on <paramref name="error"/> for bad input.</summary>
    public static int Run(StressRequest request, TextWriter output, TextWriter error)
    {
        try
        {
            var parameters = RiskParametersFile.Load(request.ParametersPath);
            var snapshot = MarketFile.Load(request.MarketPath);
            var portfolio = PortfolioFile.Load(request.PortfolioPath);
            var calculator = parameters.CreateCalculator(request.Model ?? parameters.SelectedModel);
            var scenarios = Scenarios(request, parameters);
            var outcomes = Guard(request.PortfolioPath, () => scenarios.Select(s => (s, StressTester.Apply(calculator, portfolio, snapshot, s.ToShock()))).ToArray());
            var reverse = request.Reverse ? Guard(request.PortfolioPath, () => new ReverseStress().Find(calculator, portfolio, snapshot)) : null;
            output.WriteLine(request.Json ? StressReport.Json(portfolio, calculator.CrossModel.Name, outcomes, reverse) : StressReport.Text(portfolio, calculator.CrossModel.Name, outcomes, reverse));
            return 0;
        }
        catch (RiskInputException e)
        {
            error.WriteLine($"error: {e.Message}");
            return 2;
        }
    }

    private static StressScenario[] Scenarios(StressRequest request, RiskParameters parameters)
    {
        var named = parameters.StressScenarios ?? [];
        if (request.Scenario is { } name)
        {
            return [named.FirstOrDefault(s => s.Name == name) ?? throw new RiskInputException(
                $"--scenario: no stress named \"{name}\" in the parameter file (it has: {(named.Count == 0 ? "none" : string.Join(", ", named.Select(s => s.Name)))}).")];
        }

        if (request.Spot is not null || request.Vol is not null)
        {
            var spot = Moves(request.Spot, "--spot");
            var vol = Moves(request.Vol, "--vol");
            var shocks = spot.Keys.Concat(vol.Keys).Where(k => k != "*").Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)
                .Select(u => new UnderlyingShock(u, spot.GetValueOrDefault(u, spot.GetValueOrDefault("*")), vol.GetValueOrDefault(u, vol.GetValueOrDefault("*")))).ToArray();
            var adHoc = new StressScenario("ad hoc", shocks, [], spot.GetValueOrDefault("*"), vol.GetValueOrDefault("*"));
            return [Checked(adHoc)];
        }

        if (named.Count == 0 && !request.Reverse)
        {
            throw new RiskInputException("the parameter file has no named stresses: give --spot or --vol, or --reverse.");
        }

        return named.ToArray();
    }

    private static StressScenario Checked(StressScenario scenario)
    {
        try
        {
            _ = scenario.ToShock();
            return scenario;
        }
        catch (ArgumentException e)
        {
            throw RiskInputException.From(e, "--spot");
        }
    }

    internal static Dictionary<string, double> Moves(string? text, string option)
    {
        var moves = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var part in (text ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var kv = part.Split('=', 2, StringSplitOptions.TrimEntries);
            if (kv.Length != 2 || kv[0].Length == 0 || !double.TryParse(kv[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !double.IsFinite(value))
            {
                throw new RiskInputException($"{option}: \"{part}\" is not UNDERLYING=number (BTC=-0.3).");
            }

            if (!moves.TryAdd(kv[0], value))
            {
                throw new RiskInputException($"{option}: {kv[0]} is given twice.");
            }
        }

        return moves;
    }

    private static T Guard<T>(string source, Func<T> run)
    {
        try
        {
            return run();
        }
        catch (ArgumentException e)
        {
            throw RiskInputException.From(e, source);
        }
    }
}
