using CrossMargin.Persistence.Journal;

namespace CrossMargin.Persistence.Tests.Journal;

public sealed class JournalOptionsTests
{
    /// <summary>
    /// Every setting but the linger is carried, each set away from its default first; found by reflection, so a setting
    /// added later is checked too, and the original is left as it was.
    /// </summary>
    [Fact]
    public void A_copy_with_another_linger_keeps_every_other_setting()
    {
        var original = new JournalOptions
        {
            MaxBatchSize = 7,
            MaxBatchDelay = TimeSpan.FromMilliseconds(9),
            LingerThreshold = 3,
            Writers = 2,
            MaxPendingWrites = 11,
            CallTimeout = TimeSpan.FromSeconds(4),
            CircuitBreakerMaxFailures = 6,
            CircuitBreakerResetTimeout = TimeSpan.FromSeconds(8),
        };
        var defaults = new JournalOptions();
        var settings = typeof(JournalOptions).GetProperties().Where(p => p.CanWrite && p.Name != nameof(JournalOptions.MaxBatchDelay)).ToArray();
        Assert.All(settings, p => Assert.NotEqual(p.GetValue(defaults), p.GetValue(original)));

        var copy = original.WithMaxBatchDelay(TimeSpan.FromMilliseconds(2));

        Assert.Equal(TimeSpan.FromMilliseconds(2), copy.MaxBatchDelay);
        Assert.Equal(TimeSpan.FromMilliseconds(9), original.MaxBatchDelay);
        Assert.All(settings, p => Assert.Equal(p.GetValue(original), p.GetValue(copy)));
    }
}
