namespace Ginx.Proxy.NginxConf;

/// <summary>
/// Directives accepted without effect: they tune nginx's processes, logs, buffers and client
/// connections, none of which changes which server gets a request or what it receives. Anything
/// that would change that (compression, rewrites, caching, access rules) is refused instead.
/// </summary>
internal static class HarmlessDirectives
{
    private static readonly HashSet<string> Main =
    [
        "user", "worker_processes", "worker_rlimit_nofile", "worker_cpu_affinity", "worker_priority", "worker_shutdown_timeout",
        "pid", "error_log", "daemon", "master_process", "pcre_jit", "timer_resolution", "thread_pool", "lock_file", "env",
        "working_directory", "debug_points",
    ];

    private static readonly HashSet<string> Http =
    [
        "access_log", "error_log", "log_format", "log_not_found", "log_subrequest", "open_log_file_cache",
        "sendfile", "sendfile_max_chunk", "tcp_nopush", "tcp_nodelay", "aio", "directio", "output_buffers",
        "keepalive_timeout", "keepalive_requests", "keepalive_time", "send_timeout", "reset_timedout_connection", "lingering_close", "lingering_time", "lingering_timeout",
        "client_body_buffer_size", "client_body_timeout", "client_header_buffer_size", "client_header_timeout", "large_client_header_buffers", "client_body_temp_path",
        "proxy_buffer_size", "proxy_buffers", "proxy_busy_buffers_size", "proxy_temp_path", "proxy_max_temp_file_size", "proxy_temp_file_write_size", "proxy_send_lowat",
        "types", "default_type", "types_hash_max_size", "types_hash_bucket_size", "server_names_hash_max_size", "server_names_hash_bucket_size", "variables_hash_max_size", "variables_hash_bucket_size",
        "server_tokens", "open_file_cache", "open_file_cache_valid", "open_file_cache_min_uses", "open_file_cache_errors",
        "ssl_protocols", "ssl_ciphers", "ssl_prefer_server_ciphers", "ssl_session_cache", "ssl_session_timeout", "ssl_session_tickets", "ssl_dhparam", "ssl_ecdh_curve",
    ];

    /// <summary>Whether <paramref name="name"/> is harmless at the top level of the file.</summary>
    public static bool IsHarmlessInMain(string name) => Main.Contains(name);

    /// <summary>Whether <paramref name="name"/> is harmless in <c>http</c>, <c>server</c> or <c>location</c>.</summary>
    public static bool IsHarmlessInHttp(string name) => Http.Contains(name);
}
