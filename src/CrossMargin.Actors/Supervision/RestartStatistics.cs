namespace CrossMargin.Actors.Supervision;

/// <summary>Restarts of one child, counted in a window, so a crash loop ends in Stop instead of spinning.</summary>
internal sealed class RestartStatistics
{
    private int _count;
    private long _windowStart;

    public bool RequestPermission(int maxNrOfRetries, TimeSpan withinTimeRange, TimeProvider time)
    {
        if (maxNrOfRetries < 0)
        {
            return true;
        }

        if (maxNrOfRetries == 0)
        {
            return false;
        }

        if (withinTimeRange <= TimeSpan.Zero || withinTimeRange == Timeout.InfiniteTimeSpan)
        {
            return ++_count <= maxNrOfRetries;
        }

        var now = time.GetTimestamp();
        if (_count == 0 || time.GetElapsedTime(_windowStart, now) > withinTimeRange)
        {
            _windowStart = now;
            _count = 1;
            return true;
        }

        return ++_count <= maxNrOfRetries;
    }
}
