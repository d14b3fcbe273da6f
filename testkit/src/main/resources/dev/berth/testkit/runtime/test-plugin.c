/*
 * Berth's test plugin: a tiny Docker managed plugin (VolumeDriver) for the runc tests.
 * Built by dev.berth.testkit.runtime.TestPluginBuilder with `gcc -static`.
 *
 * usage: test-plugin SOCKET [MODE]
 *   serve          (default) serve the plugin protocol, exit on SIGTERM
 *   ignore-term    serve, but ignore SIGTERM (PID 1 ignores it unless handled anyway)
 *   no-socket      never open the socket; exit on SIGTERM
 *   crash          write a line to stderr and exit 3 at once
 *   wrong-activate serve, but answer /Plugin.Activate with an empty Implements list
 *   crashy         serve, but crash at start once /data/crashed exists (see /Test.Crash)
 *
 * In every serving mode POST /Test.Crash creates /data/crashed (the propagated mount, which
 * outlives the container) and exits 3: a crash on demand, and with "crashy" a crash loop.
 *
 * Protocol: HTTP/1.1, one request per connection (Connection: close). State lives in memory.
 *   /Plugin.Activate            {"Implements":["VolumeDriver","NetworkDriver","IpamDriver","authz","LogDriver"]}
 *   /VolumeDriver.Create|Remove|Mount|Unmount|Path|Get|List|Capabilities
 *   /NetworkDriver.GetCapabilities|CreateNetwork|DeleteNetwork|CreateEndpoint|DeleteEndpoint|
 *                  EndpointOperInfo|Join|Leave
 *   /IpamDriver.GetCapabilities|GetDefaultAddressSpaces|RequestPool|ReleasePool|RequestAddress|ReleaseAddress
 *   /AuthZPlugin.AuthZReq|AuthZRes   (denies a RequestUri containing "/deny")
 *   /LogDriver.Capabilities|StartLogging|StopLogging
 * The answers are those of the testkit's FakeDriverPlugin, so one contract runs against both; errors of
 * the new APIs are HTTP 500 with {"Err":"..."}, as Docker's plugin helpers send them.
 * /VolumeDriver.List answers with chunked transfer coding, the rest with Content-Length.
 * Each request line is logged to stderr.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#define MAX_VOLUMES 32
#define MAX_NAME 64
#define MAX_ITEMS 32
#define MAX_FIELD 200

static char volumes[MAX_VOLUMES][MAX_NAME + 1];
static char networks[MAX_ITEMS][MAX_FIELD + 1];
static char endpoints[MAX_ITEMS][2 * MAX_FIELD + 2];
static char pool_ids[MAX_ITEMS][MAX_FIELD + 1];
static char pool_cidrs[MAX_ITEMS][MAX_FIELD + 1];
static char addresses[MAX_ITEMS][2 * MAX_FIELD + 2];
static char logging[MAX_ITEMS][MAX_FIELD + 1];
static int next_pool = 1;
static const char *g_sock;

static void on_term(int sig) {
    (void)sig;
    if (g_sock) unlink(g_sock);
    _exit(0);
}

/* Copies the string value of "Name" into out; returns 0 when absent or not a safe name. */
static int json_name(const char *body, char *out) {
    const char *p = strcasestr(body, "\"Name\"");
    if (!p) return 0;
    p = strchr(p + 6, ':');
    if (!p) return 0;
    p++;
    while (*p == ' ') p++;
    if (*p != '"') return 0;
    p++;
    size_t n = 0;
    while (p[n] && p[n] != '"') {
        char c = p[n];
        int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
        if (!ok || n >= MAX_NAME) return 0;
        n++;
    }
    if (n == 0 || p[n] != '"') return 0;
    memcpy(out, p, n);
    out[n] = 0;
    return 1;
}

/*
 * Copies the string value of the exact key into out; returns 0 when absent, not a string, too long or
 * not made of safe characters (letters, digits, - _ . / :). An empty string is found.
 */
static int json_field(const char *body, const char *key, char *out) {
    char pat[64];
    snprintf(pat, sizeof pat, "\"%s\"", key);
    const char *p = strstr(body, pat);
    out[0] = 0;
    if (!p) return 0;
    p = strchr(p + strlen(pat), ':');
    if (!p) return 0;
    p++;
    while (*p == ' ') p++;
    if (*p != '"') return 0;
    p++;
    size_t n = 0;
    while (p[n] && p[n] != '"') {
        char c = p[n];
        int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_'
                 || c == '.' || c == '/' || c == ':';
        if (!ok || n >= MAX_FIELD) return 0;
        n++;
    }
    if (p[n] != '"') return 0;
    memcpy(out, p, n);
    out[n] = 0;
    return 1;
}

/* Index of value in a string table, or -1. */
static int lookup(char (*table)[MAX_FIELD + 1], const char *value) {
    for (int i = 0; i < MAX_ITEMS; i++)
        if (table[i][0] && strcmp(table[i], value) == 0) return i;
    return -1;
}

static int lookup2(char (*table)[2 * MAX_FIELD + 2], const char *value) {
    for (int i = 0; i < MAX_ITEMS; i++)
        if (table[i][0] && strcmp(table[i], value) == 0) return i;
    return -1;
}

static int free_slot(char *first, size_t stride) {
    for (int i = 0; i < MAX_ITEMS; i++)
        if (!first[(size_t)i * stride]) return i;
    return -1;
}

static int find(const char *name) {
    for (int i = 0; i < MAX_VOLUMES; i++)
        if (volumes[i][0] && strcmp(volumes[i], name) == 0) return i;
    return -1;
}

static void reply(int c, int status, const char *body, int chunked) {
    char head[256];
    int len;
    const char *reason = status == 200 ? "OK" : status == 404 ? "Not Found" : "Error";
    if (chunked) {
        len = snprintf(head, sizeof head, "HTTP/1.1 %d %s\r\nContent-Type: application/vnd.docker.plugins.v1.1+json\r\n"
                       "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n", status, reason);
        (void)!write(c, head, (size_t)len);
        size_t total = strlen(body), off = 0;
        while (off < total) { /* small chunks on purpose: exercises the client's chunk parser */
            size_t n = total - off < 16 ? total - off : 16;
            len = snprintf(head, sizeof head, "%zx\r\n", n);
            (void)!write(c, head, (size_t)len);
            (void)!write(c, body + off, n);
            (void)!write(c, "\r\n", 2);
            off += n;
        }
        (void)!write(c, "0\r\n\r\n", 5);
    } else {
        len = snprintf(head, sizeof head, "HTTP/1.1 %d %s\r\nContent-Type: application/vnd.docker.plugins.v1.1+json\r\n"
                       "Content-Length: %zu\r\nConnection: close\r\n\r\n", status, reason, strlen(body));
        (void)!write(c, head, (size_t)len);
        (void)!write(c, body, strlen(body));
    }
}

static void fail(int c, const char *msg) {
    char out[512];
    snprintf(out, sizeof out, "{\"Err\":\"%s\"}", msg);
    reply(c, 500, out, 0);
}

/* The NetworkDriver, IpamDriver, authz and LogDriver APIs, answered as FakeDriverPlugin answers them. */
static void drivers(int c, const char *path, const char *body) {
    char net[MAX_FIELD + 1], ep[MAX_FIELD + 1], key[2 * MAX_FIELD + 2], v[MAX_FIELD + 1], out[1024];
    json_field(body, "NetworkID", net);
    json_field(body, "EndpointID", ep);
    snprintf(key, sizeof key, "%s/%s", net, ep);
    if (strcmp(path, "/NetworkDriver.GetCapabilities") == 0) {
        reply(c, 200, "{\"Scope\":\"local\",\"ConnectivityScope\":\"local\"}", 0);
    } else if (strcmp(path, "/NetworkDriver.CreateNetwork") == 0) {
        int slot = free_slot(networks[0], sizeof networks[0]);
        if (!net[0] || lookup(networks, net) >= 0 || slot < 0) {
            snprintf(out, sizeof out, "network %s exists or has no ID", net);
            fail(c, out);
        } else { strcpy(networks[slot], net); reply(c, 200, "{}", 0); }
    } else if (strcmp(path, "/NetworkDriver.DeleteNetwork") == 0) {
        int i = lookup(networks, net);
        if (i < 0) fail(c, "no such network"); else { networks[i][0] = 0; reply(c, 200, "{}", 0); }
    } else if (strcmp(path, "/NetworkDriver.CreateEndpoint") == 0) {
        int slot = free_slot(endpoints[0], sizeof endpoints[0]);
        if (lookup(networks, net) < 0) fail(c, "no such network");
        else if (slot < 0) fail(c, "too many endpoints");
        else {
            if (lookup2(endpoints, key) < 0) strcpy(endpoints[slot], key);
            reply(c, 200, "{\"Interface\":{\"MacAddress\":\"02:42:ac:11:00:02\"}}", 0);
        }
    } else if (strcmp(path, "/NetworkDriver.DeleteEndpoint") == 0) {
        int i = lookup2(endpoints, key);
        if (i < 0) fail(c, "no such endpoint"); else { endpoints[i][0] = 0; reply(c, 200, "{}", 0); }
    } else if (strcmp(path, "/NetworkDriver.EndpointOperInfo") == 0) {
        if (lookup2(endpoints, key) < 0) fail(c, "no such endpoint");
        else reply(c, 200, "{\"Value\":{\"state\":\"up\"}}", 0);
    } else if (strcmp(path, "/NetworkDriver.Join") == 0) {
        if (lookup2(endpoints, key) < 0) fail(c, "no such endpoint");
        else reply(c, 200, "{\"InterfaceName\":{\"SrcName\":\"veth0\",\"DstPrefix\":\"eth\"},\"Gateway\":\"10.1.0.1\"}", 0);
    } else if (strcmp(path, "/NetworkDriver.Leave") == 0) {
        if (lookup2(endpoints, key) < 0) fail(c, "no such endpoint"); else reply(c, 200, "{}", 0);
    } else if (strcmp(path, "/IpamDriver.GetCapabilities") == 0) {
        reply(c, 200, "{\"RequiresMACAddress\":false,\"RequiresRequestReplay\":false}", 0);
    } else if (strcmp(path, "/IpamDriver.GetDefaultAddressSpaces") == 0) {
        reply(c, 200, "{\"LocalDefaultAddressSpace\":\"local\",\"GlobalDefaultAddressSpace\":\"global\"}", 0);
    } else if (strcmp(path, "/IpamDriver.RequestPool") == 0) {
        int slot = free_slot(pool_ids[0], sizeof pool_ids[0]);
        if (slot < 0) { fail(c, "too many pools"); return; }
        json_field(body, "Pool", v);
        if (!v[0]) snprintf(v, sizeof v, "10.%d.0.0/16", next_pool);
        snprintf(pool_ids[slot], sizeof pool_ids[slot], "pool%d", next_pool++);
        snprintf(pool_cidrs[slot], sizeof pool_cidrs[slot], "%s", v);
        snprintf(out, sizeof out, "{\"PoolID\":\"%s\",\"Pool\":\"%s\",\"Data\":{}}", pool_ids[slot], v);
        reply(c, 200, out, 0);
    } else if (strcmp(path, "/IpamDriver.ReleasePool") == 0) {
        json_field(body, "PoolID", v);
        int i = lookup(pool_ids, v);
        if (i < 0) fail(c, "no such pool"); else { pool_ids[i][0] = 0; pool_cidrs[i][0] = 0; reply(c, 200, "{}", 0); }
    } else if (strcmp(path, "/IpamDriver.RequestAddress") == 0) {
        char id[MAX_FIELD + 1], addr[MAX_FIELD + 1], prefix[MAX_FIELD + 1];
        json_field(body, "PoolID", id);
        int i = lookup(pool_ids, id);
        int slot = free_slot(addresses[0], sizeof addresses[0]);
        if (i < 0) { fail(c, "no such pool"); return; }
        if (slot < 0) { fail(c, "too many addresses"); return; }
        const char *pool = pool_cidrs[i];
        const char *dot = strrchr(pool, '.');
        const char *slash = strchr(pool, '/');
        if (!dot || !slash) { fail(c, "bad pool"); return; }
        snprintf(prefix, sizeof prefix, "%.*s", (int)(dot - pool + 1), pool);
        json_field(body, "Address", addr);
        if (!addr[0]) {
            for (int n = 2; n < 255; n++) {
                snprintf(addr, sizeof addr, "%s%d", prefix, n);
                snprintf(key, sizeof key, "%s/%s", id, addr);
                if (lookup2(addresses, key) < 0) break;
            }
        }
        snprintf(addresses[slot], sizeof addresses[slot], "%s/%s", id, addr);
        snprintf(out, sizeof out, "{\"Address\":\"%s%s\",\"Data\":{}}", addr, slash);
        reply(c, 200, out, 0);
    } else if (strcmp(path, "/IpamDriver.ReleaseAddress") == 0) {
        char id[MAX_FIELD + 1], addr[MAX_FIELD + 1];
        json_field(body, "PoolID", id);
        json_field(body, "Address", addr);
        snprintf(key, sizeof key, "%s/%s", id, addr);
        int i = lookup2(addresses, key);
        if (i < 0) fail(c, "no such address"); else { addresses[i][0] = 0; reply(c, 200, "{}", 0); }
    } else if (strcmp(path, "/AuthZPlugin.AuthZReq") == 0 || strcmp(path, "/AuthZPlugin.AuthZRes") == 0) {
        json_field(body, "RequestUri", v);
        if (strstr(v, "/deny")) reply(c, 200, "{\"Allow\":false,\"Msg\":\"denied by the test plugin\"}", 0);
        else reply(c, 200, "{\"Allow\":true}", 0);
    } else if (strcmp(path, "/LogDriver.Capabilities") == 0) {
        reply(c, 200, "{\"Cap\":{\"ReadLogs\":false}}", 0);
    } else if (strcmp(path, "/LogDriver.StartLogging") == 0) {
        int slot = free_slot(logging[0], sizeof logging[0]);
        json_field(body, "File", v);
        if (!v[0]) fail(c, "no file");
        else if (slot < 0) fail(c, "too many streams");
        else { if (lookup(logging, v) < 0) strcpy(logging[slot], v); reply(c, 200, "{}", 0); }
    } else if (strcmp(path, "/LogDriver.StopLogging") == 0) {
        json_field(body, "File", v);
        int i = lookup(logging, v);
        if (i < 0) { snprintf(out, sizeof out, "not logging %s", v); fail(c, out); }
        else { logging[i][0] = 0; reply(c, 200, "{}", 0); }
    } else {
        reply(c, 404, "{\"Err\":\"unknown method\"}", 0);
    }
}

static void handle(int c, int wrong_activate) {
    char buf[65536];
    size_t n = 0;
    char *hdr_end = NULL;
    while (n < sizeof buf - 1) {
        ssize_t r = read(c, buf + n, sizeof buf - 1 - n);
        if (r <= 0) break;
        n += (size_t)r;
        buf[n] = 0;
        if ((hdr_end = strstr(buf, "\r\n\r\n")) != NULL) break;
    }
    if (!hdr_end) { close(c); return; }
    long clen = 0;
    char *cl = strcasestr(buf, "\r\nContent-Length:");
    if (cl) clen = strtol(cl + 17, NULL, 10);
    size_t have = n - (size_t)(hdr_end + 4 - buf);
    while ((long)have < clen && n < sizeof buf - 1) {
        ssize_t r = read(c, buf + n, sizeof buf - 1 - n);
        if (r <= 0) break;
        n += (size_t)r; have += (size_t)r;
    }
    buf[n] = 0;
    const char *body = hdr_end + 4;
    char method[16] = "", path[128] = "";
    sscanf(buf, "%15s %127s", method, path);
    fprintf(stderr, "test-plugin: %s %s\n", method, path);

    char out[16384], name[MAX_NAME + 1];
    int has_name = json_name(body, name);
    if (strcmp(path, "/Plugin.Activate") == 0) {
        reply(c, 200, wrong_activate ? "{\"Implements\":[]}"
              : "{\"Implements\":[\"VolumeDriver\",\"NetworkDriver\",\"IpamDriver\",\"authz\",\"LogDriver\"]}", 0);
    } else if (strcmp(path, "/Test.Crash") == 0) {
        FILE *f = fopen("/data/crashed", "w");
        if (f) fclose(f);
        fprintf(stderr, "test-plugin: fatal: crash requested\n");
        _exit(3);
    } else if (strcmp(path, "/VolumeDriver.Capabilities") == 0) {
        reply(c, 200, "{\"Capabilities\":{\"Scope\":\"local\"}}", 0);
    } else if (strcmp(path, "/VolumeDriver.Create") == 0) {
        if (!has_name) { reply(c, 200, "{\"Err\":\"bad volume name\"}", 0); }
        else if (find(name) >= 0) { reply(c, 200, "{\"Err\":\"\"}", 0); }
        else {
            int slot = -1;
            for (int i = 0; i < MAX_VOLUMES; i++) if (!volumes[i][0]) { slot = i; break; }
            if (slot < 0) reply(c, 200, "{\"Err\":\"too many volumes\"}", 0);
            else { strcpy(volumes[slot], name); reply(c, 200, "{\"Err\":\"\"}", 0); }
        }
    } else if (strcmp(path, "/VolumeDriver.Remove") == 0) {
        int i = has_name ? find(name) : -1;
        if (i < 0) reply(c, 200, "{\"Err\":\"no such volume\"}", 0);
        else { volumes[i][0] = 0; reply(c, 200, "{\"Err\":\"\"}", 0); }
    } else if (strcmp(path, "/VolumeDriver.Mount") == 0 || strcmp(path, "/VolumeDriver.Path") == 0) {
        if (!has_name || find(name) < 0) reply(c, 200, "{\"Err\":\"no such volume\"}", 0);
        else { snprintf(out, sizeof out, "{\"Mountpoint\":\"/data/%s\",\"Err\":\"\"}", name); reply(c, 200, out, 0); }
    } else if (strcmp(path, "/VolumeDriver.Unmount") == 0) {
        reply(c, 200, "{\"Err\":\"\"}", 0);
    } else if (strcmp(path, "/VolumeDriver.Get") == 0) {
        if (!has_name || find(name) < 0) reply(c, 200, "{\"Err\":\"no such volume\"}", 0);
        else {
            snprintf(out, sizeof out, "{\"Volume\":{\"Name\":\"%s\",\"Mountpoint\":\"/data/%s\",\"Status\":{}},\"Err\":\"\"}", name, name);
            reply(c, 200, out, 0);
        }
    } else if (strcmp(path, "/VolumeDriver.List") == 0) {
        size_t off = (size_t)snprintf(out, sizeof out, "{\"Volumes\":[");
        int first = 1;
        for (int i = 0; i < MAX_VOLUMES; i++) {
            if (!volumes[i][0]) continue;
            off += (size_t)snprintf(out + off, sizeof out - off, "%s{\"Name\":\"%s\",\"Mountpoint\":\"/data/%s\"}",
                                    first ? "" : ",", volumes[i], volumes[i]);
            first = 0;
        }
        snprintf(out + off, sizeof out - off, "],\"Err\":\"\"}");
        reply(c, 200, out, 1);
    } else if (strncmp(path, "/NetworkDriver.", 15) == 0 || strncmp(path, "/IpamDriver.", 12) == 0
               || strncmp(path, "/AuthZPlugin.", 13) == 0 || strncmp(path, "/LogDriver.", 11) == 0) {
        drivers(c, path, body);
    } else {
        reply(c, 404, "{\"Err\":\"unknown method\"}", 0);
    }
    close(c);
}

int main(int argc, char **argv) {
    const char *sock = argc > 1 ? argv[1] : "/run/docker/plugins/plugin.sock";
    const char *mode = argc > 2 ? argv[2] : "serve";
    g_sock = sock;
    signal(SIGPIPE, SIG_IGN);
    if (strcmp(mode, "crash") == 0) {
        fprintf(stderr, "test-plugin: fatal: crashing on purpose\n");
        return 3;
    }
    if (strcmp(mode, "crashy") == 0 && access("/data/crashed", F_OK) == 0) {
        fprintf(stderr, "test-plugin: fatal: crashed before, crashing again\n");
        return 3;
    }
    if (strcmp(mode, "ignore-term") == 0) {
        signal(SIGTERM, SIG_IGN);
    } else {
        signal(SIGTERM, on_term);
        signal(SIGINT, on_term);
    }
    fprintf(stdout, "test-plugin: mode %s\n", mode);
    fflush(stdout);
    if (strcmp(mode, "no-socket") == 0) {
        fprintf(stderr, "test-plugin: not opening %s\n", sock);
        for (;;) pause();
    }
    unlink(sock);
    int s = socket(AF_UNIX, SOCK_STREAM, 0);
    if (s < 0) { perror("socket"); return 1; }
    struct sockaddr_un a;
    memset(&a, 0, sizeof a);
    a.sun_family = AF_UNIX;
    snprintf(a.sun_path, sizeof a.sun_path, "%s", sock);
    if (bind(s, (struct sockaddr *)&a, sizeof a) < 0) { perror("bind"); return 1; }
    if (listen(s, 16) < 0) { perror("listen"); return 1; }
    fprintf(stderr, "test-plugin: listening on %s\n", sock);
    int wrong_activate = strcmp(mode, "wrong-activate") == 0;
    for (;;) {
        int c = accept(s, NULL, NULL);
        if (c < 0) { if (errno == EINTR) continue; perror("accept"); return 1; }
        handle(c, wrong_activate);
    }
}
