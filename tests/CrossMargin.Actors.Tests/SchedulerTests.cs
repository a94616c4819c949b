using CrossMargin.Actors.TestKit;
using Xunit.Abstractions;

namespace CrossMargin.Actors.Tests;

public sealed class SchedulerTests(ITestOutputHelper output) : TestKit.TestKit(output, new TestKitSettings { ManualTime = true })
{
    private static readonly TimeSpan Second = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan Quiet = TimeSpan.FromMilliseconds(100);

    [Fact]
    public void ScheduleTellOnce_delivers_once_after_the_delay_with_the_given_sender()
    {
        var sender = CreateTestProbe();
        var scheduled = Sys.Scheduler.ScheduleTellOnce(Second * 2, TestActor, "hello", sender.Ref);
        Time!.Advance(Second);
        ExpectNoMsg(Quiet);
        Time.Advance(Second);
        ExpectMsg("hello");
        Assert.Same(sender.Ref, Probe.LastSender);
        Time.Advance(Second * 10);
        ExpectNoMsg(Quiet);
        Assert.Equal(0, Time.ActiveTimers);
        Assert.True(scheduled.IsCancellationRequested, "a one-shot schedule is done once it fired");
    }

    [Fact]
    public void ScheduleTellRepeatedly_delivers_every_interval_until_cancelled()
    {
        var scheduled = Sys.Scheduler.ScheduleTellRepeatedly(Second, Second * 2, TestActor, "tick", null);
        Time!.Advance(Second);
        ExpectMsg("tick");
        Time.Advance(Second * 4);
        Assert.Equal(["tick", "tick"], ReceiveN(2));
        scheduled.Cancel();
        Assert.True(scheduled.IsCancellationRequested);
        Assert.Equal(0, Time.ActiveTimers);
        Time.Advance(Second * 10);
        ExpectNoMsg(Quiet);
    }

    [Fact]
    public void Cancel_before_the_delay_prevents_delivery()
    {
        var scheduled = Sys.Scheduler.ScheduleTellOnce(Second, TestActor, "never", null);
        scheduled.Cancel();
        Time!.Advance(Second * 2);
        ExpectNoMsg(Quiet);
        Assert.Equal(0, Time.ActiveTimers);
    }

    [Fact]
    public void ScheduleOnce_runs_the_action_after_the_delay()
    {
        var runs = 0;
        Sys.Scheduler.ScheduleOnce(Second, () => Interlocked.Increment(ref runs));
        Time!.Advance(Second - TimeSpan.FromTicks(1));
        Assert.Equal(0, runs);
        Time.Advance(TimeSpan.FromTicks(1));
        Assert.Equal(1, runs);
        Time.Advance(Second * 5);
        Assert.Equal(1, runs);
    }

    [Fact]
    public void Scheduler_runs_on_the_system_clock()
    {
        Assert.Same(Time, Sys.Scheduler.TimeProvider);
        Assert.Same(Time, Sys.TimeProvider);
    }

    [Fact]
    public void Scheduler_rejects_bad_arguments()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Sys.Scheduler.ScheduleTellOnce(TimeSpan.FromSeconds(-1), TestActor, "x", null));
        Assert.Throws<ArgumentOutOfRangeException>(() => Sys.Scheduler.ScheduleTellRepeatedly(Second, TimeSpan.Zero, TestActor, "x", null));
        Assert.Throws<ArgumentNullException>(() => Sys.Scheduler.ScheduleTellOnce(Second, TestActor, null!, null));
        Assert.Throws<ArgumentNullException>(() => Sys.Scheduler.ScheduleTellOnce(Second, null!, "x", null));
        Assert.Throws<ArgumentNullException>(() => Sys.Scheduler.ScheduleOnce(Second, null!));
        Assert.Equal(0, Time!.ActiveTimers);
    }
}
