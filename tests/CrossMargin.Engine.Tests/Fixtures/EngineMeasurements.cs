using System.Diagnostics.Metrics;

namespace CrossMargin.Engine.Tests.Fixtures;

/// <summary>Listens to one instrument of the engine's meter, for tests of what the engine counts or records.</summary>
internal static class EngineMeasurements
{
    /// <summary>
    /// Passes every measurement of <paramref name="instrumentName"/> on <see cref="EngineMetrics.MeterName"/> to
    /// <paramref name="onMeasurement"/> (on the recording thread) until the returned listener is disposed.
    /// </summary>
    public static MeterListener Listen<T>(string instrumentName, MeasurementCallback<T> onMeasurement)
        where T : struct
    {
        var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            // By name: the instrument may be created (and published here) inside EngineMetrics' type initializer, before
            // its property is assigned.
            if (instrument.Meter.Name == EngineMetrics.MeterName && instrument.Name == instrumentName)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback(onMeasurement);
        listener.Start();
        return listener;
    }
}
