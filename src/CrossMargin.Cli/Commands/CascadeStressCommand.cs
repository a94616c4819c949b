using System.CommandLine;
using System.Globalization;
using CrossMargin.Risk.Serialization;
using CrossMargin.Risk.Stress;

namespace CrossMargin.Cli.Commands;

/// <summary>
/// The <c>cm stress cascade</c> command, offline: shock the market of a book file, liquidate every account below
/// maintenance margin, feed the forced selling back into the marks through a linear impact and repeat
/// (<see cref="LiquidationCascade"/>); report rounds, forced volume per instrument, insurance-fund use and the final
/// shortfall.
/// </summary>
public static class CascadeStressCommand
{
    /// <summary>Books at least this large show progress on standard error without --progress.</summary>
    public const int ProgressThreshold = 10_000;

    /// <summary>The impact when --impact is not given: 1% per 1,000,000 USD of net forced notional.</summary>
    public const string DefaultImpact = "*=0.01";

    /// <summary>Creates the <c>cascade</c> subcommand of <c>stress</c>, writing to the given streams.</summary>
    public static Command Create(TextWriter output, TextWriter error)
    {
        var book = new Option<FileInfo>("--book") { Description = "Book JSON file: {\"accounts\": [portfolio, ...]}.", Required = true };
        var market = new Option<FileInfo>("--market") { Description = "Market snapshot JSON file.", Required = true };
        var parameters = new Option<FileInfo>("--params") { Description = "Risk parameter file; its stress.scenarios are the named stresses.", Required = true };
        var scenario = new Option<string?>("--scenario") { Description = "A named stress of the parameter file." };
        var spot = new Option<string?>("--spot") { Description = "Ad-hoc spot moves, e.g. BTC=-0.3,ETH=-0.35 (* for every other underlying)." };
        var vol = new Option<string?>("--vol") { Description = "Ad-hoc vol shifts in vol points as fractions, e.g. BTC=0.2 (* for every other underlying)." };
        var impact = new Option<string>("--impact")
        {
            Description = "Relative price move per 1,000,000 USD of net forced notional, per underlying (* for the others), e.g. BTC=0.005,*=0.02.",
            DefaultValueFactory = _ => DefaultImpact,
        };
        var fund = new Option<decimal>("--fund") { Description = "Insurance fund, USD (covers bankrupt accounts' deficits).", DefaultValueFactory = _ => 0m };
        var maxRounds = new Option<int>("--max-rounds") { Description = "Rounds at most (1 to 1000).", DefaultValueFactory = _ => 20 };
        var model = new Option<string?>("--model") { Description = "The pool's model instead of the file's (standard, portfolio, simm, var, es, composite)." };
        var json = new Option<bool>("--json") { Description = "Write JSON instead of text." };
        var progress = new Option<bool>("--progress") { Description = $"Report progress on standard error (automatic from {ProgressThreshold:N0} accounts)." };
        var command = new Command("cascade", "Offline: shock a book, liquidate accounts below maintenance, feed the forced selling back into prices, repeat; " +
                                             "rounds, forced volume per instrument, insurance-fund use and final shortfall.")
        {
            book, market, parameters, scenario, spot, vol, impact, fund, maxRounds, model, json, progress,
        };
        command.SetAction(r => Run(new CascadeRequest(r.GetValue(book)!.FullName, r.GetValue(market)!.FullName, r.GetValue(parameters)!.FullName,
            r.GetValue(scenario), r.GetValue(spot), r.GetValue(vol), r.GetValue(impact)!, r.GetValue(fund), r.GetValue(maxRounds), r.GetValue(model),
            r.GetValue(json), r.GetValue(progress)), output, error));
        return command;
    }

    /// <summary>Runs the cascade; returns 0, or 2 with one line on <paramref name="error"/> for bad input.</summary>
    public static int Run(CascadeRequest request, TextWriter output, TextWriter error)
    {
        try
        {
            var cascade = Parameters(request);
            var parameters = RiskParametersFile.Load(request.ParametersPath);
            var snapshot = MarketFile.Load(request.MarketPath);
            var accounts = BookFile.Load(request.BookPath);
            var calculator = parameters.CreateCalculator(request.Model ?? parameters.SelectedModel);
            var scenario = Scenario(request, parameters);
            var shock = scenario.ToShock();
            Action<CascadeProgress>? report = request.Progress || accounts.Count >= ProgressThreshold
                ? p => error.WriteLine(p.RoundDone
                    ? string.Create(CultureInfo.InvariantCulture, $"round {p.Round}: {p.Open:N0} accounts assessed, {p.Liquidated:N0} liquidated")
                    : string.Create(CultureInfo.InvariantCulture, $"round {p.Round}: {p.Assessed:N0} of {p.Open:N0} accounts assessed, {p.Liquidated:N0} liquidated so far"))
                : null;
            var result = Guard(request.BookPath, () => LiquidationCascade.Run(calculator, accounts, snapshot, shock, cascade, report));
            var run = new CascadeRun(request.BookPath, accounts.Count, calculator.CrossModel.Name, scenario, cascade, result);
            output.WriteLine(request.Json ? CascadeReport.Json(run) : CascadeReport.Text(run));
            return 0;
        }
        catch (RiskInputException e)
        {
            error.WriteLine($"error: {e.Message}");
            return 2;
        }
    }

    private static CascadeParameters Parameters(CascadeRequest request)
    {
        var impact = PortfolioStressCommand.Moves(request.Impact, "--impact");
        foreach (var (u, v) in impact)
        {
            if (!(v >= 0))
            {
                throw new RiskInputException($"--impact: {u}={v.ToString(CultureInfo.InvariantCulture)} must not be negative (forced selling moves prices down).");
            }
        }

        if (request.InsuranceFundUsd < 0)
        {
            throw new RiskInputException("--fund: the insurance fund must not be negative.");
        }

        if (request.MaxRounds is < 1 or > 1000)
        {
            throw new RiskInputException("--max-rounds: must be 1 to 1000.");
        }

        var named = impact.Where(x => x.Key != "*").ToDictionary(x => x.Key, x => x.Value, StringComparer.Ordinal);
        return new CascadeParameters(named, impact.GetValueOrDefault("*"), request.InsuranceFundUsd, request.MaxRounds);
    }

    private static StressScenario Scenario(CascadeRequest request, RiskParameters parameters)
    {
        var named = parameters.StressScenarios ?? [];
        if (request.Scenario is { } name)
        {
            if (request.Spot is not null || request.Vol is not null)
            {
                throw new RiskInputException("--scenario: give a named stress or --spot/--vol, not both.");
            }

            return named.FirstOrDefault(s => s.Name == name) ?? throw new RiskInputException(
                $"--scenario: no stress named \"{name}\" in the parameter file (it has: {(named.Count == 0 ? "none" : string.Join(", ", named.Select(s => s.Name)))}).");
        }

        if (request.Spot is null && request.Vol is null)
        {
            throw new RiskInputException("a cascade needs a shock: --scenario NAME or --spot/--vol.");
        }

        var spot = PortfolioStressCommand.Moves(request.Spot, "--spot");
        var vol = PortfolioStressCommand.Moves(request.Vol, "--vol");
        var shocks = spot.Keys.Concat(vol.Keys).Where(k => k != "*").Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)
            .Select(u => new UnderlyingShock(u, spot.GetValueOrDefault(u, spot.GetValueOrDefault("*")), vol.GetValueOrDefault(u, vol.GetValueOrDefault("*")))).ToArray();
        var adHoc = new StressScenario("ad hoc", shocks, [], spot.GetValueOrDefault("*"), vol.GetValueOrDefault("*"));
        return Guard("--spot", () =>
        {
            _ = adHoc.ToShock();
            return adHoc;
        });
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
