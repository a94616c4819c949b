using Microsoft.Extensions.Logging;

namespace CrossMargin.Actors.Events;

/// <summary>
/// Logs dead letters without flooding: at most a set number per window, then one line saying how many were
/// suppressed. Every dead letter is still counted and published.
/// </summary>
internal sealed class DeadLetterLog(ILogger logger, TimeProvider time, int limitPerWindow, TimeSpan window)
{
    private readonly Lock _gate = new();
    private long _windowStart = time.GetTimestamp();
    private int _logged;
    private long _suppressed;

    public void Record(DeadLetter deadLetter, long total)
    {
        if (limitPerWindow == 0 || !logger.IsEnabled(LogLevel.Information))
        {
            return;
        }

        long suppressedBefore = 0;
        bool log;
        lock (_gate)
        {
            var now = time.GetTimestamp();
            if (time.GetElapsedTime(_windowStart, now) >= window)
            {
                suppressedBefore = _suppressed;
                _windowStart = now;
                _logged = 0;
                _suppressed = 0;
            }

            log = _logged < limitPerWindow;
            if (log)
            {
                _logged++;
            }
            else
            {
                _suppressed++;
            }
        }

        if (suppressedBefore > 0)
        {
            logger.LogInformation("{Suppressed} further dead letters were not logged in the last {Window}", suppressedBefore, window);
        }

        if (log)
        {
            logger.LogInformation(
                "Message {MessageType} from {Sender} to {Recipient} was not delivered; {DeadLetters} dead letters so far",
                deadLetter.Message.GetType().Name, deadLetter.Sender?.Path.ToString() ?? "no sender", deadLetter.Recipient.Path, total);
        }
    }
}
