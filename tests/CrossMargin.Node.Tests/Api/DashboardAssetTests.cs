using System.Net;
using System.Text.RegularExpressions;

namespace CrossMargin.Node.Tests.Api;

/// <summary>The dashboard as a node serves it: every file from the node itself, nothing from a CDN (these machines have no internet).</summary>
public sealed partial class DashboardAssetTests : IAsyncLifetime
{
    private NodeUnderTest _node = null!;

    public async Task InitializeAsync() => _node = await NodeUnderTest.StartAsync();

    public async Task DisposeAsync()
    {
        await _node.DisposeAndDeleteDataAsync();
    }

    [Fact]
    public async Task The_page_and_its_assets_are_served_by_the_node_and_load_nothing_from_another_origin()
    {
        var page = await _node.Client.GetStringAsync(new Uri("/", UriKind.Relative));
        var linked = LocalAsset().Matches(page).Select(m => m.Groups["path"].Value).ToArray();

        Assert.Equal(["/dashboard/app.css", "/dashboard/app.js"], linked.Order());
        foreach (var text in new[] { page }.Concat(await Task.WhenAll(linked.Select(p => _node.Client.GetStringAsync(new Uri(p, UriKind.Relative))))))
        {
            Assert.DoesNotMatch(ForeignReference(), text);
        }

        using var missing = await _node.Client.GetAsync(new Uri("/dashboard/nope.js", UriKind.Relative));
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    [GeneratedRegex("""(?:src|href)="(?<path>/dashboard/[^"]+)""")]
    private static partial Regex LocalAsset();

    // An absolute or protocol-relative URL in a src, href, url(), import or fetch: anything the browser would fetch from elsewhere.
    [GeneratedRegex("""(?:src|href)\s*=\s*["'](?:https?:)?//|url\(\s*["']?(?:https?:)?//|@import\s+["'](?:https?:)?//|fetch\(\s*["'](?:https?:)?//""")]
    private static partial Regex ForeignReference();
}
