using System.Net;
using System.Text;
using CrossMargin.Cli.Node;

namespace CrossMargin.Cli.Tests.Node;

/// <summary><c>cm cluster show</c>'s table against a node's answer given here, so cluster-mode epochs need no cluster.</summary>
public sealed class ClusterShowTableTests
{
    private const string View = """
        {"mode":"cluster","self":"n1","shardCount":10,"members":[
          {"name":"n1","roles":["accounts"],"status":"up","httpAddress":"http://127.0.0.1:5081","version":"1.0","upSince":"2026-11-25T03:06:18.1477199+01:00",
           "shards":[{"shardId":0,"epoch":3},{"shardId":1,"epoch":7}]},
          {"name":"n2","roles":["accounts"],"status":"up","httpAddress":"http://127.0.0.1:5082","version":"1.0","upSince":null,
           "shards":[{"shardId":9,"epoch":5},{"shardId":2,"epoch":5},{"shardId":4,"epoch":5},{"shardId":3,"epoch":5},{"shardId":7,"epoch":5}]},
          {"name":"n3","roles":["accounts"],"status":"leaving","httpAddress":"http://127.0.0.1:5083","version":"1.0","upSince":null,"shards":[]}]}
        """;

    [Fact]
    public void Each_member_shows_the_shards_it_holds_and_the_lease_epochs_the_node_reported()
    {
        var (text, asked) = Show();

        Assert.Contains("2: 0-1 (epochs 3-7)", text, StringComparison.Ordinal);
        Assert.Contains("5: 2-4,7,9 (epoch 5)", text, StringComparison.Ordinal);
        Assert.Contains("none", text, StringComparison.Ordinal);
        Assert.DoesNotContain("epoch 0", text, StringComparison.Ordinal);
        Assert.Equal("/api/v1/cluster", asked?.AbsolutePath);
    }

    [Fact]
    public void A_members_start_time_shows_in_UTC_to_the_millisecond_as_the_other_tables_show_times()
    {
        var (text, _) = Show();

        Assert.Contains("Up since (UTC)", text, StringComparison.Ordinal);
        Assert.Contains("2026-11-25 02:06:18.147", text, StringComparison.Ordinal);
        Assert.DoesNotContain("+01:00", text, StringComparison.Ordinal);
    }

    // Runs `cm cluster show` against View; the table's text and the path the node was asked.
    private static (string Text, Uri? Asked) Show()
    {
        using var handler = new Answering(View);
        using var output = new StringWriter();
        using var error = new StringWriter();

        var exit = CliApp.Run(["cluster", "show", "--node", "http://127.0.0.1:5081"], TextReader.Null, output, error,
            new NodeAccess { Handler = handler, Environment = _ => null });

        Assert.True(exit == ExitCodes.Ok, error.ToString());
        return (output.ToString(), handler.Asked);
    }

    private sealed class Answering(string json) : HttpMessageHandler
    {
        public Uri? Asked { get; private set; }

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Asked = request.RequestUri;
            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(json, Encoding.UTF8, "application/json") });
        }
    }
}
