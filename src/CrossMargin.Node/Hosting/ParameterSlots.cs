using CrossMargin.Engine;
using CrossMargin.Engine.Accounts;
using CrossMargin.Persistence.Parameters;
using CrossMargin.Risk.Margin;
using CrossMargin.Risk.Serialization;

namespace CrossMargin.Node.Hosting;

/// <summary>
/// The risk parameters in force, one set per slot (margin mode), and how they change while the node runs. At start each
/// slot takes the newest stored version of the parameter history when there is one, otherwise its configured file. An
/// apply is written to the history first (optimistically: it names the version it replaces, so of two operators only one
/// wins), then swapped into the engine; a refresh puts in force what other nodes stored.
/// </summary>
public sealed class ParameterSlots : IDisposable
{
    /// <summary>The slots, in the order they are shown.</summary>
    public static readonly IReadOnlyList<string> Names = ["standard", "portfolio", "simm", "var", "es", "composite"];

    private readonly SemaphoreSlim _changes = new(1, 1);
    private readonly string _historyDirectory;
    private readonly TimeProvider _time;
    private readonly ILogger _log;
    private Dictionary<string, InForce> _slots;

    private ParameterSlots(Dictionary<string, InForce> slots, IParameterHistory history, string historyDirectory, TimeProvider time, ILogger log)
    {
        _slots = slots;
        History = history;
        _historyDirectory = historyDirectory;
        _time = time;
        _log = log;
    }

    /// <summary>The history the slots are stored in and read from.</summary>
    public IParameterHistory History { get; }

    /// <summary>The set in force in every slot, in <see cref="Names"/> order.</summary>
    public IReadOnlyList<RiskParameterSet> Sets
    {
        get
        {
            var slots = Volatile.Read(ref _slots);
            return Names.Select(n => slots[n].Set).ToArray();
        }
    }

    /// <summary>The calculators of the sets in force, as the engine takes them.</summary>
    public AccountMarginModels Models => ModelsOf(Volatile.Read(ref _slots));

    /// <inheritdoc/>
    public void Dispose() => _changes.Dispose();

    /// <summary>The margin mode whose accounts a slot margins.</summary>
    public static MarginMode ModeOf(string slot) => slot switch
    {
        "standard" => MarginMode.StandardCross,
        "portfolio" => MarginMode.Portfolio,
        "simm" => MarginMode.Simm,
        "var" => MarginMode.ValueAtRisk,
        "es" => MarginMode.ExpectedShortfall,
        "composite" => MarginMode.Composite,
        _ => throw new ArgumentException($"slot must be one of {string.Join(", ", Names)}, not '{slot}'.", nameof(slot)),
    };

    /// <summary>
    /// Loads every slot: the configured files (a file named by several settings is read once), then, over them, the newest
    /// stored version of each slot that has one. Says in the log which source each slot uses.
    /// </summary>
    /// <exception cref="RiskInputException">A file or a stored version cannot serve its slot (named in the message).</exception>
    public static async Task<ParameterSlots> LoadAsync(NodeOptions node, string configDirectory, IParameterHistory history, TimeProvider time, ILogger log,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(node);
        ArgumentNullException.ThrowIfNull(history);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(log);
        var now = time.GetUtcNow();
        var settings = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["standard"] = node.StandardMarginFile,
            ["portfolio"] = node.PortfolioMarginFile,
            ["simm"] = node.SimmMarginFile,
            ["var"] = node.HistoricalMarginFile,
            ["es"] = node.HistoricalMarginFile,
            ["composite"] = node.CompositeMarginFile,
        };
        // One file with every section (the default, risk/all-models.json) serves several slots; it is parsed once (the
        // historical section reads and checks its whole price history).
        var loaded = new Dictionary<string, (RiskParameters Parameters, string Version)>(StringComparer.Ordinal);
        var slots = new Dictionary<string, InForce>(StringComparer.Ordinal);
        foreach (var slot in Names)
        {
            var file = ConfigurationDirectory.Under(configDirectory, settings[slot]);
            if (!loaded.TryGetValue(file, out var entry))
            {
                loaded[file] = entry = (RiskParametersFile.Load(file), EngineHost.VersionOf(File.ReadAllText(file)));
            }

            var model = ModelFor(slot, entry.Parameters);
            var calculator = Build(slot, entry.Parameters, model, $"{file} (the {slot} margin file)");
            slots[slot] = new InForce(new RiskParameterSet(slot, file, entry.Version, model, entry.Parameters.Description, now), calculator);
        }

        var historyDirectory = Path.GetDirectoryName(ConfigurationDirectory.Under(configDirectory, node.HistoricalMarginFile)) ?? configDirectory;
        foreach (var stored in await history.LatestAsync(cancellationToken).ConfigureAwait(false))
        {
            if (slots.ContainsKey(stored.Slot))
            {
                slots[stored.Slot] = FromStored(stored, historyDirectory, now);
            }
        }

        var parameterSlots = new ParameterSlots(slots, history, historyDirectory, time, log);

        foreach (var set in parameterSlots.Sets)
        {
            if (set.StoredVersion is { } version)
            {
                log.LogInformation("Risk parameters {Slot}: stored version {StoredVersion} ({Version}, {Model}), applied by {AppliedBy} at {AppliedAt}",
                    set.Slot, version, set.Version, set.Model, set.AppliedBy, set.AppliedAt);
            }
            else
            {
                log.LogInformation("Risk parameters {Slot}: file {File} ({Version}, {Model}); no stored version", set.Slot, set.File, set.Version, set.Model);
            }
        }

        return parameterSlots;
    }

    /// <summary>
    /// Validates <paramref name="text"/> and builds it for <paramref name="slot"/>, or, when null, for the slot its own
    /// <c>model</c> names. A relative price history is resolved against the directory of <c>Node:HistoricalMarginFile</c>.
    /// </summary>
    /// <exception cref="RiskInputException">The text is invalid, or cannot serve the slot (named in the message).</exception>
    /// <exception cref="ArgumentException">The slot is not one of <see cref="Names"/>.</exception>
    public PreparedParameterSet Prepare(string text, string? slot)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parameters = RiskParametersFile.Parse(text, "posted parameters", _historyDirectory);
        var target = slot ?? parameters.SelectedModel;
        var mode = ModeOf(target);
        var model = ModelFor(target, parameters);
        return new PreparedParameterSet(target, mode, model, text, EngineHost.VersionOf(text), parameters, Build(target, parameters, model, "posted parameters"));
    }

    /// <summary>The set in force in <paramref name="slot"/>.</summary>
    public RiskParameterSet SetOf(string slot) => Volatile.Read(ref _slots)[slot].Set;

    /// <summary>
    /// Stores <paramref name="prepared"/> as the next version of its slot and puts it in force on <paramref name="engine"/>
    /// (every live account re-margins). <paramref name="expectedVersion"/> is the stored version the caller decided
    /// against; null: the one in force here (0 for a file).
    /// </summary>
    /// <exception cref="ParameterVersionConflictException">Another apply stored a version first.</exception>
    public async Task<StoredParameterSet> ApplyAsync(PreparedParameterSet prepared, string appliedBy, string? reason, long? expectedVersion, RiskEngine engine,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(prepared);
        ArgumentNullException.ThrowIfNull(engine);
        await _changes.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var expected = expectedVersion ?? SetOf(prepared.Slot).StoredVersion ?? 0;
            var stored = await History.AppendAsync(new ParameterSetAppend(prepared.Slot, prepared.Version, prepared.Text, prepared.Model,
                prepared.Parameters.Description, appliedBy, reason), expected, cancellationToken).ConfigureAwait(false);
            PutInForce(new InForce(SetOf(stored, prepared.Parameters, _time.GetUtcNow()), prepared.Calculator), engine);
            return stored;
        }
        finally
        {
            _changes.Release();
        }
    }

    /// <summary>
    /// Puts in force every stored version newer than the one in force here (another node applied it), and answers the
    /// sets that changed. A stored version this node cannot build is logged and skipped: the slot keeps its set.
    /// </summary>
    public async Task<IReadOnlyList<RiskParameterSet>> RefreshAsync(RiskEngine engine, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(engine);
        await _changes.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var changed = new List<RiskParameterSet>();
            foreach (var stored in await History.LatestAsync(cancellationToken).ConfigureAwait(false))
            {
                if (!Names.Contains(stored.Slot, StringComparer.Ordinal) || stored.Version <= (SetOf(stored.Slot).StoredVersion ?? 0))
                {
                    continue;
                }

                InForce next;
                try
                {
                    next = FromStored(stored, _historyDirectory, _time.GetUtcNow());
                }
                catch (RiskInputException e)
                {
                    _log.LogError("Risk parameters {Slot}: stored version {StoredVersion} cannot be built on this node, keeping {Version}: {Problem}",
                        stored.Slot, stored.Version, SetOf(stored.Slot).Version, e.Message);
                    continue;
                }

                PutInForce(next, engine);
                changed.Add(next.Set);
                _log.LogInformation("Risk parameters {Slot}: stored version {StoredVersion} ({Version}) put in force, applied by {AppliedBy} on another node",
                    stored.Slot, stored.Version, stored.ContentHash, stored.AppliedBy);
            }

            return changed;
        }
        finally
        {
            _changes.Release();
        }
    }

    private static string ModelFor(string slot, RiskParameters parameters) =>
        slot is "standard" or "portfolio" ? parameters.SelectedModel : slot;

    private static MarginCalculator Build(string slot, RiskParameters parameters, string model, string source)
    {
        try
        {
            return parameters.CreateCalculator(model);
        }
        catch (RiskInputException e)
        {
            throw new RiskInputException($"{source}: the {slot} slot takes model {model}: {e.Message}", e);
        }
    }

    private static AccountMarginModels ModelsOf(Dictionary<string, InForce> slots) => new(slots["standard"].Calculator, slots["portfolio"].Calculator)
    {
        Simm = slots["simm"].Calculator,
        ValueAtRisk = slots["var"].Calculator,
        ExpectedShortfall = slots["es"].Calculator,
        Composite = slots["composite"].Calculator,
    };

    private static InForce FromStored(StoredParameterSet stored, string historyDirectory, DateTimeOffset now)
    {
        var source = $"stored {stored.Slot} parameters version {stored.Version}";
        var parameters = RiskParametersFile.Parse(stored.Content, source, historyDirectory);
        return new InForce(SetOf(stored, parameters, now), Build(stored.Slot, parameters, stored.Model, source));
    }

    private static RiskParameterSet SetOf(StoredParameterSet stored, RiskParameters parameters, DateTimeOffset now) =>
        new(stored.Slot, null, stored.ContentHash, stored.Model, parameters.Description, now)
        {
            StoredVersion = stored.Version,
            AppliedBy = stored.AppliedBy,
            AppliedAt = stored.AppliedAt,
            Reason = stored.Reason,
        };

    private void PutInForce(InForce next, RiskEngine engine)
    {
        var slots = new Dictionary<string, InForce>(Volatile.Read(ref _slots), StringComparer.Ordinal) { [next.Set.Slot] = next };
        Volatile.Write(ref _slots, slots);
        engine.ApplyModels(ModelsOf(slots));
    }

    private sealed record InForce(RiskParameterSet Set, MarginCalculator Calculator);
}
