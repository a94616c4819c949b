using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using CrossMargin.Engine.Accounts;
using CrossMargin.Node.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace CrossMargin.Node.Tests.Api;

/// <summary>The further margin modes through the node as shipped: the default config loads them from risk/all-models.json.</summary>
public sealed class MarginModeEndpointTests : IAsyncLifetime
{
    private NodeUnderTest _node = null!;

    private HttpClient Http => _node.Client;

    public async Task InitializeAsync() => _node = await NodeUnderTest.StartAsync();

    public async Task DisposeAsync()
    {
        await _node.DisposeAndDeleteDataAsync();
    }

    [Fact]
    public async Task An_account_opened_in_composite_mode_is_accepted_and_its_margin_explanation_names_the_composites_models()
    {
        var (opened, openBody) = await Post("/api/v1/accounts", """{"messageId":"open-carol","source":"accounts","sequence":1,"accountId":"carol","mode":"composite"}""");
        var (funded, _) = await Post("/api/v1/deposits", """{"messageId":"d1","source":"wallet","sequence":1,"accountId":"carol","asset":"USDT","amount":100000}""");
        var (traded, _) = await Post("/api/v1/executions",
            """{"messageId":"e1","source":"me","sequence":1,"accountId":"carol","executionId":"e1","orderId":"o1","symbol":"BTC-PERP","side":"buy","quantity":1,"price":60000,"fee":0,"liquidity":"taker","timestamp":"2026-11-21T08:00:00Z"}""");
        using var response = await Http.GetAsync(new Uri("/api/v1/accounts/carol/margin", UriKind.Relative));
        var margin = await response.Content.ReadFromJsonAsync<JsonElement>();
        var view = await Http.GetFromJsonAsync<JsonElement>("/api/v1/accounts/carol");

        Assert.Equal(HttpStatusCode.OK, opened);
        Assert.Equal("accepted", openBody.GetProperty("outcome").GetString());
        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK), (funded, traded, response.StatusCode));
        Assert.Equal("composite", view.GetProperty("mode").GetString());
        Assert.Equal("composite(portfolio+simm+es)", margin.GetProperty("model").GetString());
        var composite = margin.GetProperty("requirement").GetProperty("composite");
        var components = composite.GetProperty("components").EnumerateArray()
            .Select(c => (Model: c.GetProperty("model").GetString()!, Im: c.GetProperty("requirement").GetProperty("initialMarginUsd").GetDecimal())).ToArray();
        Assert.Equal(["portfolio", "simm", "es"], components.Select(c => c.Model));
        // IM is the largest component's, rounded up to the cent like every pool requirement.
        var binding = components.MaxBy(c => c.Im);
        Assert.Equal(binding.Model, composite.GetProperty("initialBinding").GetString());
        Assert.Equal(Math.Ceiling(binding.Im * 100m) / 100m, margin.GetProperty("initialMarginUsd").GetDecimal());
    }

    [Fact]
    public async Task The_default_config_loads_a_calculator_for_every_mode_with_the_files_model_for_each()
    {
        var host = _node.Services.GetRequiredService<EngineHost>();
        await host.Started;

        Assert.Equal(Enum.GetValues<MarginMode>(), host.Models!.Modes);
        Assert.Equal(["standard", "portfolio", "simm", "var", "es", "composite"], host.ParameterSets.Select(s => s.Slot));
        Assert.Equal(["standard", "portfolio", "simm", "var", "es", "composite"], host.ParameterSets.Select(s => s.Model));
        Assert.All(host.ParameterSets.Skip(2), s => Assert.EndsWith("all-models.json", s.File, StringComparison.Ordinal));
        Assert.Equal("composite(portfolio+simm+es)", host.Models.Composite!.CrossModel.Name);
        Assert.Equal(("var", "es"), (host.Models.ValueAtRisk!.CrossModel.Name, host.Models.ExpectedShortfall!.CrossModel.Name));
    }

    private async Task<(HttpStatusCode Status, JsonElement Body)> Post(string path, string json)
    {
        using var content = new StringContent(json, Encoding.UTF8, "application/json");
        using var response = await Http.PostAsync(new Uri(path, UriKind.Relative), content);
        return (response.StatusCode, await response.Content.ReadFromJsonAsync<JsonElement>());
    }
}
