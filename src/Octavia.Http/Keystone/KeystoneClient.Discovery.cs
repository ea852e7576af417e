using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;

namespace Octavia.Http.Keystone;

// How the identity API's version is found from [keystone_authtoken] auth_url, as keystoneauth does it: deployment
// tools (devstack among them) write the unversioned URL (http://keystone:5000), others the v3 one (…/v3 or …/v3/).
public sealed partial class KeystoneClient
{
    /// <summary>
    /// Finds the identity v3 API behind <c>auth_url</c> and remembers it: a versioned URL must answer Keystone's
    /// <c>{"version": {"id": "v3.…"}}</c>; an unversioned one its version list (300 Multiple Choices), whose v3 entry's
    /// <c>self</c> link is taken. Done once; later calls return the remembered answer.
    /// </summary>
    /// <returns>The URL of <c>…/v3/auth/tokens</c>.</returns>
    /// <exception cref="KeystoneUnavailableException">Nothing answered in time (Keystone may simply not be up yet).</exception>
    /// <exception cref="KeystoneDiscoveryException">Something answered, but not as a Keystone with a v3 API.</exception>
    public async Task<Uri> DiscoverAsync(CancellationToken cancellationToken)
    {
        if (_tokensUri is { } known)
        {
            return known;
        }

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(Timeout);
        try
        {
            await _discoveryLock.WaitAsync(deadline.Token);
            try
            {
                return _tokensUri ?? await FindTokensUriAsync(deadline.Token);
            }
            finally
            {
                _discoveryLock.Release();
            }
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new KeystoneUnavailableException(
                $"{_options.AuthUrl} did not answer within {Timeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s", e);
        }
    }

    private async Task<Uri> FindTokensUriAsync(CancellationToken cancellationToken)
    {
        var url = new Uri(_options.AuthUrl);
        using var response = await SendAsync(() =>
        {
            var request = new HttpRequestMessage(HttpMethod.Get, url);
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
            return request;
        }, cancellationToken);
        var body = await response.Content.ReadAsByteArrayAsync(cancellationToken);
        var identity = FindIdentityV3(url, (int)response.StatusCode, body, out var reason)
            ?? throw new KeystoneDiscoveryException(
                $"[keystone_authtoken] auth_url = {_options.AuthUrl} is not a Keystone identity endpoint: {reason}.");
        _tokensUri = new Uri(identity.TrimEnd('/') + "/auth/tokens");
        LogIdentityFound(_logger, _options.AuthUrl, identity);
        return _tokensUri;
    }

    /// <summary><see cref="DiscoverAsync"/> on a request's path: an endpoint that is not a Keystone is a 503 there too.</summary>
    private async Task<Uri> TokensUriAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await DiscoverAsync(cancellationToken);
        }
        catch (KeystoneDiscoveryException e)
        {
            throw new KeystoneUnavailableException(e.Message, e);
        }
    }

    /// <summary>
    /// The base URL of identity v3 in the answer of <paramref name="url"/>, or null with the <paramref name="reason"/>.
    /// </summary>
    internal static string? FindIdentityV3(Uri url, int status, byte[] body, out string reason)
    {
        if (status is not (200 or 300))
        {
            reason = $"GET {url} answered {status}";
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("version", out var version))
            {
                // A versioned URL: it is the API itself.
                reason = "it serves " + (Text(version, "id") ?? "an unnamed version") + ", not identity v3";
                return IsV3(version) ? Versioned(SelfLink(version) ?? url.ToString()) : null;
            }

            if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("versions", out var versions))
            {
                // Keystone nests the list in "values"; other services (Octavia, Neutron) answer a bare list of their own versions.
                var list = versions.ValueKind == JsonValueKind.Object && versions.TryGetProperty("values", out var values) ? values : versions;
                if (list.ValueKind == JsonValueKind.Array)
                {
                    foreach (var entry in list.EnumerateArray())
                    {
                        if (IsV3(entry))
                        {
                            reason = "";
                            return Versioned(SelfLink(entry) ?? url.ToString());
                        }
                    }
                }

                reason = "its version list offers no identity v3 API";
                return null;
            }
        }
        catch (JsonException)
        {
            // Not JSON at all: the reason below.
        }

        reason = "its answer is not a version document";
        return null;
    }

    /// <summary>An identity v3 entry: <c>id</c> <c>v3</c> or <c>v3.N</c> and Keystone's <c>media-types</c> of identity.</summary>
    private static bool IsV3(JsonElement version)
    {
        if (Text(version, "id") is not { } id || !(id == "v3" || id.StartsWith("v3.", StringComparison.Ordinal)))
        {
            return false;
        }

        if (!version.TryGetProperty("media-types", out var media) || media.ValueKind != JsonValueKind.Array)
        {
            return false;
        }

        foreach (var type in media.EnumerateArray())
        {
            if (Text(type, "type") is { } name && name.StartsWith("application/vnd.openstack.identity", StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>A v3 entry's link ends in <c>/v3</c>; one that names only the root (a proxy's rewrite, say) is completed.</summary>
    private static string Versioned(string link)
    {
        link = link.TrimEnd('/');
        return link.EndsWith("/v3", StringComparison.Ordinal) ? link : link + "/v3";
    }

    private static string? SelfLink(JsonElement version)
    {
        if (!version.TryGetProperty("links", out var links) || links.ValueKind != JsonValueKind.Array)
        {
            return null;
        }

        foreach (var link in links.EnumerateArray())
        {
            if (Text(link, "rel") == "self" && Text(link, "href") is { } href && Uri.TryCreate(href, UriKind.Absolute, out _))
            {
                return href;
            }
        }

        return null;
    }
}
