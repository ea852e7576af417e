using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using Octavia.Core.Configuration;

namespace Octavia.Http.Keystone;

/// <summary>
/// Validates callers' tokens with Keystone and remembers the valid ones for <c>token_cache_time</c> seconds,
/// never past the token's own expiry (so a revoked token is refused at the latest when its entry ends).
/// Invalid tokens are not remembered. Concurrent requests with the same uncached token share one check.
/// Entries are keyed by a SHA-256 of the token, so the tokens themselves are not kept.
/// </summary>
public sealed class KeystoneTokenValidator(KeystoneClient keystone, IOptions<KeystoneAuthTokenOptions> options, TimeProvider time)
{
    private readonly ConcurrentDictionary<string, CachedIdentity> _cache = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Lazy<Task<KeystoneIdentity?>>> _pending = new(StringComparer.Ordinal);
    private readonly TimeSpan _cacheTime = TimeSpan.FromSeconds(Math.Max(0, options.Value.TokenCacheTime));
    private readonly int _maxEntries = options.Value.TokenCacheEntries;

    /// <summary>The token's identity, or null when Keystone says it is invalid, expired or revoked.</summary>
    /// <exception cref="KeystoneUnavailableException">Keystone could not answer in time.</exception>
    public Task<KeystoneIdentity?> ValidateAsync(string token, CancellationToken cancellationToken)
    {
        var key = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(token)));
        if (_cache.TryGetValue(key, out var cached))
        {
            if (cached.Until > time.GetUtcNow())
            {
                return Task.FromResult<KeystoneIdentity?>(cached.Identity);
            }

            _cache.TryRemove(KeyValuePair.Create(key, cached));
        }

        var check = _pending.GetOrAdd(key, k => new Lazy<Task<KeystoneIdentity?>>(() => CheckAsync(k, token)));
        return check.Value.WaitAsync(cancellationToken);
    }

    /// <summary>Validated tokens currently remembered.</summary>
    public int CachedCount => _cache.Count;

    private async Task<KeystoneIdentity?> CheckAsync(string key, string token)
    {
        try
        {
            // Not tied to the first caller's request: others may be waiting on the same answer.
            var identity = await keystone.ValidateAsync(token, CancellationToken.None);
            if (identity is not null)
            {
                Remember(key, identity);
            }

            return identity;
        }
        finally
        {
            _pending.TryRemove(key, out _);
        }
    }

    private void Remember(string key, KeystoneIdentity identity)
    {
        var now = time.GetUtcNow();
        var until = now + _cacheTime < identity.ExpiresAt ? now + _cacheTime : identity.ExpiresAt;
        if (until <= now)
        {
            return;
        }

        if (_cache.Count >= _maxEntries)
        {
            foreach (var entry in _cache)
            {
                if (entry.Value.Until <= now)
                {
                    _cache.TryRemove(entry);
                }
            }

            if (_cache.Count >= _maxEntries)
            {
                return;
            }
        }

        _cache[key] = new CachedIdentity(identity, until);
    }

    private sealed record CachedIdentity(KeystoneIdentity Identity, DateTimeOffset Until);
}
