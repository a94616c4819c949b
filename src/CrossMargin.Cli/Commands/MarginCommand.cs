using System.CommandLine;
using CrossMargin.Cli.Node;
using CrossMargin.Risk.Serialization;

namespace CrossMargin.Cli.Commands;

/// <summary>
/// <c>cm margin</c>: <c>margin calc</c>, the offline calculator (one portfolio against a market snapshot and risk
/// parameters), and <c>margin explain ID</c>, a live account's assessment from a node (<see cref="MarginExplainCommand"/>).
/// The spelling before the subcommands, <c>cm margin --portfolio ...</c>, still runs the calculator (hidden from help).
/// </summary>
public static class MarginCommand
{
    /// <summary>Creates the <c>margin</c> command writing to the given streams; <paramref name="access"/> reaches nodes for <c>explain</c>.</summary>
    public static Command Create(NodeAccess access, TextWriter output, TextWriter error)
    {
        var command = new Command("margin", "Margin: the offline calculator (calc) and a live account's assessment with its explanation (explain ID).")
        {
            CreateCalc(output, error),
            MarginExplainCommand.CreateExplain(access, output, error),
        };

        // The calculator's options on margin itself keep `cm margin --portfolio ...` scripts working; not shown in help.
        var (portfolio, market, parameters, json, model) = CalculatorOptions(required: false);
        foreach (var option in new Option[] { portfolio, market, parameters, json, model })
        {
            option.Hidden = true;
            command.Options.Add(option);
        }

        command.SetAction(result =>
        {
            var files = (result.GetValue(portfolio), result.GetValue(market), result.GetValue(parameters));
            if (files is not ({ } p, { } m, { } r))
            {
                error.WriteLine("error: cm margin needs a subcommand: calc (--portfolio, --market, --params) or explain ID. See cm margin --help.");
                return ExitCodes.Usage;
            }

            return Run(p.FullName, m.FullName, r.FullName, result.GetValue(json), output, error, result.GetValue(model));
        });
        return command;
    }

    private static Command CreateCalc(TextWriter output, TextWriter error)
    {
        var (portfolio, market, parameters, json, model) = CalculatorOptions(required: true);
        var command = new Command("calc", "Offline: equity, initial and maintenance margin, available margin, status, and how each figure came about, " +
                                          "for a portfolio file against a market file and a risk parameter file.")
        {
            portfolio, market, parameters, json, model,
        };
        command.SetAction(result => Run(
            result.GetValue(portfolio)!.FullName, result.GetValue(market)!.FullName, result.GetValue(parameters)!.FullName,
            result.GetValue(json), output, error, result.GetValue(model)));
        return command;
    }

    private static (Option<FileInfo> Portfolio, Option<FileInfo> Market, Option<FileInfo> Parameters, Option<bool> Json, Option<string?> Model)
        CalculatorOptions(bool required) =>
    (
        new Option<FileInfo>("--portfolio") { Description = "Portfolio JSON file (balances, positions, open orders).", Required = required },
        new Option<FileInfo>("--market") { Description = "Market snapshot JSON file (instruments, prices, marks, vols).", Required = required },
        new Option<FileInfo>("--params") { Description = "Risk parameter file, e.g. config/risk/deribit-pm.json.", Required = required },
        new Option<bool>("--json") { Description = "Write JSON instead of a table." },
        new Option<string?>("--model")
        {
            Description = "The cross pool's model instead of the file's: standard, portfolio, simm, var, es, composite; or all, every model the file has parameters for, side by side.",
        });

    /// <summary>Runs the assessment; returns 0, or 2 with one line on <paramref name="error"/> for bad input.</summary>
    /// <remarks>
    /// <paramref name="model"/> null keeps the file's model; "all" assesses with every model the file has parameters
    /// for and shows them side by side.
    /// </remarks>
    public static int Run(string portfolioPath, string marketPath, string parametersPath, bool json, TextWriter output, TextWriter error, string? model = null)
    {
        try
        {
            if (model is not null && model != "all" && !RiskParameters.ModelNames.Contains(model))
            {
                throw new RiskInputException($"--model: \"{model}\" is not one of all, {string.Join(", ", RiskParameters.ModelNames)}.");
            }

            var parameters = RiskParametersFile.Load(parametersPath);
            var snapshot = MarketFile.Load(marketPath);
            var portfolio = PortfolioFile.Load(portfolioPath);
            if (model == "all")
            {
                // The standard model assesses any valid portfolio, so its failure is bad input; another model may lack
                // data this portfolio needs (an underlying the price history does not have) and is shown as n/a.
                var all = parameters.AvailableModels.Select(name => name == "standard"
                    ? new ModelAssessment(name, Guard(portfolioPath, () => parameters.CreateCalculator(name).Assess(portfolio, snapshot)), null)
                    : Attempt(name, () => parameters.CreateCalculator(name).Assess(portfolio, snapshot))).ToArray();
                output.WriteLine(json ? MarginReportJson.WriteAll(all) : MarginReportText.WriteAll(all, parameters.Description));
                return 0;
            }

            var assessment = Guard(portfolioPath, () => parameters.CreateCalculator(model ?? parameters.SelectedModel).Assess(portfolio, snapshot));
            output.WriteLine(json ? MarginReportJson.Write(assessment) : MarginReportText.Write(assessment, parameters.Description));
            return 0;
        }
        catch (RiskInputException e)
        {
            error.WriteLine($"error: {e.Message}");
            return 2;
        }
    }

    private static ModelAssessment Attempt(string model, Func<Risk.Margin.AccountMargin> assess)
    {
        try
        {
            return new ModelAssessment(model, assess(), null);
        }
        catch (ArgumentException e)
        {
            return new ModelAssessment(model, null, RiskInputException.From(e, "").Message);
        }
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
