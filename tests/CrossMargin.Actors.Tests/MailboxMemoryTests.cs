using CrossMargin.Actors.Dispatch;
using Xunit.Abstractions;

namespace CrossMargin.Actors.Tests;

public sealed class MailboxMemoryTests(ITestOutputHelper output) : TestKit.TestKit(output)
{
    // The mailbox is a linked queue whose current node (the message taken last) is the stub. A node left linked after
    // it was passed keeps every later node reachable from it; once it sits dead in an older generation, no young
    // collection frees those (they are promoted instead), which made them most of what survived a gen0 GC in the engine.
    [Fact]
    public void A_message_node_the_mailbox_has_moved_past_keeps_no_link_to_the_ones_after_it()
    {
        var actor = (ActorCell)Sys.ActorOf(Props.Create(() => new Forwarder(TestActor)));
        Assert.Same(actor, actor.MailboxStub);
        actor.Tell("first", TestActor);
        ExpectMsg("first");
        var first = actor.MailboxStub;
        Assert.NotSame(actor, first);
        Assert.Null(actor.Next);

        actor.Tell("second", TestActor);
        ExpectMsg("second");
        actor.Tell("third", TestActor);
        ExpectMsg("third");

        Assert.NotSame(first, actor.MailboxStub);
        Assert.Null(first.Next);
    }
}
