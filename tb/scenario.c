/*
 * scenario.c - the `.scn` scenario runner (see scenario.h).
 *
 * Two passes.  parse_buffer() turns the whole text into an array of cmd_t and
 * reports every malformed line as `FILE:LINE: <what is wrong>`; only when
 * there is none does scn_run() execute the commands through the blocking API
 * of tb.h (exec_cmd()), one line to completion before the next.  The runner
 * holds no state between runs.
 *
 * Extensions beyond the format (it allows more, never less):
 *  - `resp=okay|slverr|decerr` on write32/write64/read32/read64 expects that
 *    AXI response (the line then carries an expectation);
 *  - hexadecimal numbers may also start with `0X`;
 *  - the DMA expectation (`ok`, `ok=VALUE`, `fault`) may stand anywhere among
 *    the options.
 * Readings of the format:
 *  - values wider than the access are truncated to it, as the format says of
 *    DMA data ("the low SIZE bytes"): `read32 OFF V` compares the low 32 bits;
 *  - `_` is accepted only between two digits (`0x_10`, `1_`, `1__0` are bad);
 *  - a positional argument after an option is malformed;
 *  - control characters (NUL, a CR that does not end the line, ...) are
 *    malformed outside comments; inside a comment anything goes;
 *  - OFF must fit in 32 bits, DEV and id=N in 32, pid=N in 20, BYTE in 8; a
 *    mem.fill/mem.error/mem.ok range or a DMA burst may not wrap past 2^64;
 *  - an access that gets no response fails even without an expectation, and
 *    counts among the failed lines of the summary;
 *  - failures go to `out` with the informational lines, so the summary is
 *    the last line there; a malformed script prints no summary (it ran no
 *    line) but `FILE: N malformed lines, nothing run` on `err`.
 */
#include "scenario.h"
#include "tb.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define SCN_POLL_TIMEOUT 100000u   /* default timeout= of the poll commands */
#define SCN_DMA_TIMEOUT  100000u   /* cycles a DMA may take to answer */
#define SCN_MAX_ARGS     4u
#define SCN_QUOTE_CHARS  48u       /* longest word quoted in full in a message */
#define SCN_QUOTE_BUF    (SCN_QUOTE_CHARS * 4u + 8u)

/* ---- command and option tables ------------------------------------------ */

typedef enum {
    OP_RESET, OP_CYCLES, OP_WRITE, OP_READ, OP_POLL, OP_PRINT,
    OP_MEM_WRITE, OP_MEM_CHECK, OP_MEM_POLL, OP_MEM_FILL, OP_MEM_ERROR, OP_MEM_OK,
    OP_DMA_READ, OP_DMA_WRITE, OP_WSI, OP_WSI_POLL
} op_e;

/* Option groups a command accepts. */
enum { GRP_RESP = 1u << 0, GRP_TIMEOUT = 1u << 1, GRP_DMA = 1u << 2, GRP_EXEC = 1u << 3 };

typedef struct {
    const char *name;
    op_e op;
    unsigned size;                    /* access size in bytes; 0: none or an argument */
    unsigned nmin, nmax;              /* positional arguments */
    unsigned groups;                  /* option groups accepted */
    const char *arg[SCN_MAX_ARGS];    /* positional argument names, for messages */
} cmd_def_t;

static const cmd_def_t cmd_defs[] = {
    { "reset",        OP_RESET,     0, 0, 0, 0,           { 0 } },
    { "cycles",       OP_CYCLES,    0, 1, 1, 0,           { "N" } },
    { "write32",      OP_WRITE,     4, 2, 2, GRP_RESP,    { "OFF", "VALUE" } },
    { "write64",      OP_WRITE,     8, 2, 2, GRP_RESP,    { "OFF", "VALUE" } },
    { "read32",       OP_READ,      4, 1, 3, GRP_RESP,    { "OFF", "VALUE", "MASK" } },
    { "read64",       OP_READ,      8, 1, 3, GRP_RESP,    { "OFF", "VALUE", "MASK" } },
    { "poll32",       OP_POLL,      4, 3, 3, GRP_TIMEOUT, { "OFF", "VALUE", "MASK" } },
    { "poll64",       OP_POLL,      8, 3, 3, GRP_TIMEOUT, { "OFF", "VALUE", "MASK" } },
    { "print32",      OP_PRINT,     4, 1, 1, 0,           { "OFF" } },
    { "print64",      OP_PRINT,     8, 1, 1, 0,           { "OFF" } },
    { "mem.write8",   OP_MEM_WRITE, 1, 2, 2, 0,           { "ADDR", "VALUE" } },
    { "mem.write16",  OP_MEM_WRITE, 2, 2, 2, 0,           { "ADDR", "VALUE" } },
    { "mem.write32",  OP_MEM_WRITE, 4, 2, 2, 0,           { "ADDR", "VALUE" } },
    { "mem.write64",  OP_MEM_WRITE, 8, 2, 2, 0,           { "ADDR", "VALUE" } },
    { "mem.check8",   OP_MEM_CHECK, 1, 2, 3, 0,           { "ADDR", "VALUE", "MASK" } },
    { "mem.check16",  OP_MEM_CHECK, 2, 2, 3, 0,           { "ADDR", "VALUE", "MASK" } },
    { "mem.check32",  OP_MEM_CHECK, 4, 2, 3, 0,           { "ADDR", "VALUE", "MASK" } },
    { "mem.check64",  OP_MEM_CHECK, 8, 2, 3, 0,           { "ADDR", "VALUE", "MASK" } },
    { "mem.poll8",    OP_MEM_POLL,  1, 3, 3, GRP_TIMEOUT, { "ADDR", "VALUE", "MASK" } },
    { "mem.poll16",   OP_MEM_POLL,  2, 3, 3, GRP_TIMEOUT, { "ADDR", "VALUE", "MASK" } },
    { "mem.poll32",   OP_MEM_POLL,  4, 3, 3, GRP_TIMEOUT, { "ADDR", "VALUE", "MASK" } },
    { "mem.poll64",   OP_MEM_POLL,  8, 3, 3, GRP_TIMEOUT, { "ADDR", "VALUE", "MASK" } },
    { "mem.fill",     OP_MEM_FILL,  0, 3, 3, 0,           { "ADDR", "LEN", "BYTE" } },
    { "mem.error",    OP_MEM_ERROR, 0, 2, 2, 0,           { "ADDR", "LEN" } },
    { "mem.ok",       OP_MEM_OK,    0, 2, 2, 0,           { "ADDR", "LEN" } },
    { "dma.read",     OP_DMA_READ,  0, 3, 3, GRP_DMA | GRP_EXEC, { "DEV", "IOVA", "SIZE" } },
    { "dma.write",    OP_DMA_WRITE, 0, 4, 4, GRP_DMA,     { "DEV", "IOVA", "SIZE", "DATA" } },
    { "wsi",          OP_WSI,       4, 1, 2, 0,           { "VALUE", "MASK" } },
    { "wsi.poll",     OP_WSI_POLL,  4, 2, 2, GRP_TIMEOUT, { "VALUE", "MASK" } },
};

typedef enum {
    OPT_RESP, OPT_TIMEOUT, OPT_PID, OPT_BEATS, OPT_ID, OPT_PRIV, OPT_EXEC, OPT_OK, OPT_FAULT
} opt_e;

typedef enum { VAL_NONE, VAL_REQUIRED, VAL_OPTIONAL } opt_val_e;

typedef struct {
    const char *name;
    opt_e opt;
    unsigned group;
    opt_val_e val;
} opt_def_t;

static const opt_def_t opt_defs[] = {
    { "resp",    OPT_RESP,    GRP_RESP,    VAL_REQUIRED },
    { "timeout", OPT_TIMEOUT, GRP_TIMEOUT, VAL_REQUIRED },
    { "pid",     OPT_PID,     GRP_DMA,     VAL_REQUIRED },
    { "beats",   OPT_BEATS,   GRP_DMA,     VAL_REQUIRED },
    { "id",      OPT_ID,      GRP_DMA,     VAL_REQUIRED },
    { "priv",    OPT_PRIV,    GRP_DMA,     VAL_NONE },
    { "exec",    OPT_EXEC,    GRP_EXEC,    VAL_NONE },
    { "ok",      OPT_OK,      GRP_DMA,     VAL_OPTIONAL },
    { "fault",   OPT_FAULT,   GRP_DMA,     VAL_NONE },
};

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* ---- parsed commands ----------------------------------------------------- */

typedef enum { EXP_NONE, EXP_OK, EXP_OK_VALUE, EXP_FAULT } dma_expect_e;

typedef struct {
    const cmd_def_t *def;
    unsigned long line;
    unsigned nargs;                   /* positional arguments given */
    uint64_t arg[SCN_MAX_ARGS];
    int resp;                         /* expected register response, -1: none */
    uint64_t timeout;                 /* polls */
    dma_expect_e expect;              /* DMA expectation */
    uint64_t expect_value;            /* ok=VALUE */
    tb_dma_t dma;                     /* the DMA request, complete */
} cmd_t;

typedef struct {
    const char *path;
    FILE *err;
    cmd_t *cmds;
    size_t ncmds, cap;
    unsigned long errors;             /* malformed lines */
    bool oom;
} parser_t;

static uint64_t width_mask(unsigned size)
{
    return size >= 8 ? UINT64_MAX : (UINT64_C(1) << (8u * size)) - 1u;
}

/* `'word'` with non-printable bytes escaped, cut after SCN_QUOTE_CHARS. */
static const char *quote(const char *w, char buf[SCN_QUOTE_BUF])
{
    static const char hex[] = "0123456789abcdef";
    size_t o = 0, i;
    buf[o++] = '\'';
    for (i = 0; w[i] != '\0' && i < SCN_QUOTE_CHARS; i++) {
        unsigned char c = (unsigned char)w[i];
        if (c >= 0x20 && c < 0x7f && c != '\\') {
            buf[o++] = (char)c;
        } else {
            buf[o++] = '\\';
            buf[o++] = 'x';
            buf[o++] = hex[c >> 4];
            buf[o++] = hex[c & 15u];
        }
    }
    buf[o++] = '\'';
    if (w[i] != '\0') {
        memcpy(&buf[o], "...", 3);
        o += 3;
    }
    buf[o] = '\0';
    return buf;
}

/* Reports a malformed line: `FILE:LINE: [CMD: ]message`. */
static void line_error(parser_t *p, unsigned long line, const cmd_def_t *def,
                       const char *fmt, ...)
{
    va_list ap;
    p->errors++;
    fprintf(p->err, "%s:%lu: ", p->path, line);
    if (def != NULL)
        fprintf(p->err, "%s: ", def->name);
    va_start(ap, fmt);
    vfprintf(p->err, fmt, ap);
    va_end(ap);
    fputc('\n', p->err);
}

/* Unsigned 64-bit number: decimal or 0x-hexadecimal, `_` between two digits.
 * Returns 0, 1 for a malformed number, 2 for one that does not fit in 64 bits. */
static int parse_u64(const char *s, uint64_t *val)
{
    unsigned base = 10;
    uint64_t acc = 0;
    bool prev_digit = false, overflow = false;

    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        base = 16;
        s += 2;
    }
    if (*s == '\0')
        return 1;
    for (; *s != '\0'; s++) {
        unsigned d;
        char c = *s;
        if (c == '_') {
            if (!prev_digit)
                return 1;
            prev_digit = false;
            continue;
        }
        if (c >= '0' && c <= '9')
            d = (unsigned)(c - '0');
        else if (c >= 'a' && c <= 'f')
            d = (unsigned)(c - 'a') + 10u;
        else if (c >= 'A' && c <= 'F')
            d = (unsigned)(c - 'A') + 10u;
        else
            return 1;
        if (d >= base)
            return 1;
        if (acc > (UINT64_MAX - d) / base)
            overflow = true;
        else
            acc = acc * base + d;
        prev_digit = true;
    }
    if (!prev_digit)
        return 1;     /* trailing `_` */
    if (overflow)
        return 2;
    *val = acc;
    return 0;
}

static bool parse_number(parser_t *p, unsigned long line, const cmd_def_t *def,
                         const char *word, const char *what, uint64_t *val)
{
    char q[SCN_QUOTE_BUF];
    switch (parse_u64(word, val)) {
    case 0:
        return true;
    case 2:
        line_error(p, line, def, "number %s for %s does not fit in 64 bits",
                   quote(word, q), what);
        return false;
    default:
        line_error(p, line, def, "bad number %s for %s", quote(word, q), what);
        return false;
    }
}

static const cmd_def_t *find_cmd(const char *name)
{
    for (size_t i = 0; i < ARRAY_LEN(cmd_defs); i++)
        if (strcmp(cmd_defs[i].name, name) == 0)
            return &cmd_defs[i];
    return NULL;
}

static const opt_def_t *find_opt(const char *name, size_t len)
{
    for (size_t i = 0; i < ARRAY_LEN(opt_defs); i++)
        if (strlen(opt_defs[i].name) == len && memcmp(opt_defs[i].name, name, len) == 0)
            return &opt_defs[i];
    return NULL;
}

/* Next space/tab separated word of a NUL-terminated line, NUL-terminated in
 * place; NULL at the end of the line. */
static char *next_word(char **cur)
{
    char *s = *cur, *w;
    while (*s == ' ' || *s == '\t')
        s++;
    if (*s == '\0') {
        *cur = s;
        return NULL;
    }
    w = s;
    while (*s != '\0' && *s != ' ' && *s != '\t')
        s++;
    if (*s != '\0')
        *s++ = '\0';
    *cur = s;
    return w;
}

static const char *resp_name(unsigned resp)
{
    switch (resp) {
    case AXI_OKAY:   return "OKAY";
    case AXI_EXOKAY: return "EXOKAY";
    case AXI_SLVERR: return "SLVERR";
    case AXI_DECERR: return "DECERR";
    default:         return "an invalid response";
    }
}

/* One option word of command `c`.  Returns false after reporting an error. */
static bool parse_option(parser_t *p, cmd_t *c, char *word, unsigned *seen,
                         const char **expect_word)
{
    const cmd_def_t *def = c->def;
    char q[SCN_QUOTE_BUF], q2[SCN_QUOTE_BUF];
    char *eq = strchr(word, '=');
    size_t len = eq != NULL ? (size_t)(eq - word) : strlen(word);
    const char *value = eq != NULL ? eq + 1 : NULL;
    const opt_def_t *od = find_opt(word, len);
    uint64_t v = 0;

    if (od == NULL || (def->groups & od->group) == 0) {
        if (od != NULL && od->opt == OPT_EXEC && def->op == OP_DMA_WRITE)
            line_error(p, c->line, def, "option 'exec' is only for dma.read");
        else
            line_error(p, c->line, def, "unknown option %s", quote(word, q));
        return false;
    }
    if (od->val == VAL_REQUIRED && value == NULL) {
        line_error(p, c->line, def, "option '%s' needs a value (%s=...)", od->name, od->name);
        return false;
    }
    if (od->val == VAL_NONE && value != NULL) {
        line_error(p, c->line, def, "option '%s' takes no value, got %s", od->name,
                   quote(word, q));
        return false;
    }
    if (od->opt == OPT_OK || od->opt == OPT_FAULT) {
        if (*expect_word != NULL) {
            line_error(p, c->line, def, "more than one expectation: %s and %s",
                       quote(*expect_word, q), quote(word, q2));
            return false;
        }
        *expect_word = word;
    } else if (*seen & (1u << od->opt)) {
        line_error(p, c->line, def, "option '%s' given twice", od->name);
        return false;
    }
    *seen |= 1u << od->opt;

    switch (od->opt) {
    case OPT_RESP:
        if (strcmp(value, "okay") == 0) {
            c->resp = AXI_OKAY;
        } else if (strcmp(value, "slverr") == 0) {
            c->resp = AXI_SLVERR;
        } else if (strcmp(value, "decerr") == 0) {
            c->resp = AXI_DECERR;
        } else {
            line_error(p, c->line, def, "resp must be okay, slverr or decerr, got %s",
                       quote(value, q));
            return false;
        }
        return true;
    case OPT_TIMEOUT:
        return parse_number(p, c->line, def, value, "timeout", &c->timeout);
    case OPT_PID:
        if (!parse_number(p, c->line, def, value, "pid", &v))
            return false;
        if (v > 0xfffffu) {
            line_error(p, c->line, def, "pid must fit in 20 bits, got 0x%" PRIx64, v);
            return false;
        }
        c->dma.pv = true;
        c->dma.pid = (uint32_t)v;
        return true;
    case OPT_BEATS:
        if (!parse_number(p, c->line, def, value, "beats", &v))
            return false;
        if (v < 1u || v > 256u) {
            line_error(p, c->line, def, "beats must be 1 to 256, got %" PRIu64, v);
            return false;
        }
        c->dma.beats = (unsigned)v;
        return true;
    case OPT_ID:
        if (!parse_number(p, c->line, def, value, "id", &v))
            return false;
        if (v > UINT32_MAX) {
            line_error(p, c->line, def, "id must fit in 32 bits, got 0x%" PRIx64, v);
            return false;
        }
        c->dma.id = (uint32_t)v;
        return true;
    case OPT_PRIV:
        c->dma.priv = true;
        return true;
    case OPT_EXEC:
        c->dma.exec = true;
        return true;
    case OPT_OK:
        if (value == NULL) {
            c->expect = EXP_OK;
            return true;
        }
        c->expect = EXP_OK_VALUE;
        return parse_number(p, c->line, def, value, "ok", &c->expect_value);
    case OPT_FAULT:
        c->expect = EXP_FAULT;
        return true;
    }
    return true;
}

/* [addr, addr+len) must not run past the top of the 64-bit address space. */
static bool range_fits(uint64_t addr, uint64_t len)
{
    return addr == 0 || len <= (uint64_t)0 - addr;
}

/* Checks of a command whose words all parsed. */
static bool check_command(parser_t *p, cmd_t *c)
{
    const cmd_def_t *def = c->def;

    switch (def->op) {
    case OP_WRITE:
    case OP_READ:
    case OP_POLL:
    case OP_PRINT:
        if (c->arg[0] > UINT32_MAX) {
            line_error(p, c->line, def, "OFF 0x%" PRIx64 " does not fit in 32 bits", c->arg[0]);
            return false;
        }
        return true;
    case OP_MEM_WRITE:
    case OP_MEM_CHECK:
    case OP_MEM_POLL:
        if (c->arg[0] % def->size != 0) {
            line_error(p, c->line, def, "ADDR 0x%" PRIx64 " is not aligned to %u bytes",
                       c->arg[0], def->size);
            return false;
        }
        return true;
    case OP_MEM_FILL:
        if (c->arg[2] > 0xffu) {
            line_error(p, c->line, def, "BYTE must be 0 to 255, got 0x%" PRIx64, c->arg[2]);
            return false;
        }
        /* fall through */
    case OP_MEM_ERROR:
    case OP_MEM_OK:
        if (!range_fits(c->arg[0], c->arg[1])) {
            line_error(p, c->line, def, "ADDR 0x%" PRIx64 " + LEN 0x%" PRIx64
                       " runs past the end of the address space", c->arg[0], c->arg[1]);
            return false;
        }
        return true;
    case OP_DMA_READ:
    case OP_DMA_WRITE: {
        uint64_t size = c->arg[2];
        if (c->arg[0] > UINT32_MAX) {
            line_error(p, c->line, def, "DEV must fit in 32 bits, got 0x%" PRIx64, c->arg[0]);
            return false;
        }
        if (size != 1 && size != 2 && size != 4 && size != 8) {
            line_error(p, c->line, def, "SIZE must be 1, 2, 4 or 8, got %" PRIu64, size);
            return false;
        }
        if (c->arg[1] % size != 0) {
            line_error(p, c->line, def, "IOVA 0x%" PRIx64 " is not aligned to SIZE %" PRIu64,
                       c->arg[1], size);
            return false;
        }
        if (!range_fits(c->arg[1], size * c->dma.beats)) {
            line_error(p, c->line, def, "a burst of %u beats at IOVA 0x%" PRIx64
                       " runs past the end of the address space", c->dma.beats, c->arg[1]);
            return false;
        }
        c->dma.dev = (uint32_t)c->arg[0];
        c->dma.iova = c->arg[1];
        c->dma.size = (unsigned)size;
        c->dma.write = def->op == OP_DMA_WRITE;
        c->dma.data = c->dma.write ? c->arg[3] & width_mask((unsigned)size) : 0;
        c->expect_value &= width_mask((unsigned)size);
        return true;
    }
    default:
        return true;
    }
}

static bool push_command(parser_t *p, const cmd_t *c)
{
    if (p->ncmds == p->cap) {
        size_t cap = p->cap != 0 ? p->cap * 2u : 64u;
        cmd_t *n = realloc(p->cmds, cap * sizeof(*n));
        if (n == NULL) {
            p->oom = true;
            return false;
        }
        p->cmds = n;
        p->cap = cap;
    }
    p->cmds[p->ncmds++] = *c;
    return true;
}

/* One line, without its line end; s[n] may be overwritten. */
static void parse_line(parser_t *p, char *s, size_t n, unsigned long line)
{
    char q[SCN_QUOTE_BUF];
    const cmd_def_t *def;
    const char *expect_word = NULL;
    unsigned seen = 0;
    bool in_options = false;
    char *cur = s, *w;
    cmd_t c;

    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch == '#') {
            n = i;
            break;
        }
        if ((ch < 0x20 && ch != '\t') || ch == 0x7f) {
            line_error(p, line, NULL, "invalid character 0x%02x in column %zu", ch, i + 1u);
            return;
        }
    }
    s[n] = '\0';

    w = next_word(&cur);
    if (w == NULL)
        return;                       /* blank or comment */
    def = find_cmd(w);
    if (def == NULL) {
        line_error(p, line, NULL, "unknown command %s", quote(w, q));
        return;
    }

    memset(&c, 0, sizeof(c));
    c.def = def;
    c.line = line;
    c.resp = -1;
    c.timeout = SCN_POLL_TIMEOUT;
    c.expect = EXP_NONE;
    c.dma.beats = 1;

    while ((w = next_word(&cur)) != NULL) {
        bool is_option = strchr(w, '=') != NULL || find_opt(w, strlen(w)) != NULL;
        if (is_option) {
            in_options = true;
            if (!parse_option(p, &c, w, &seen, &expect_word))
                return;
            continue;
        }
        if (in_options) {
            line_error(p, line, def, "argument %s after the options", quote(w, q));
            return;
        }
        if (c.nargs == def->nmax) {
            line_error(p, line, def, "extra argument %s", quote(w, q));
            return;
        }
        if (!parse_number(p, line, def, w, def->arg[c.nargs], &c.arg[c.nargs]))
            return;
        c.nargs++;
    }
    if (c.nargs < def->nmin) {
        line_error(p, line, def, "missing argument %s", def->arg[c.nargs]);
        return;
    }
    if (!check_command(p, &c))
        return;
    push_command(p, &c);
}

/* Splits `buf` (len bytes, one more allocated) into lines: LF or CR LF ends a
 * line, the last line may lack one. */
static void parse_buffer(parser_t *p, char *buf, size_t len)
{
    size_t pos = 0;
    unsigned long line = 0;

    while (pos < len && !p->oom) {
        size_t start = pos, end = pos;
        char *nl = memchr(buf + start, '\n', len - start);
        line++;
        end = nl != NULL ? (size_t)(nl - buf) : len;
        pos = nl != NULL ? end + 1u : len;
        if (end > start && buf[end - 1u] == '\r')
            end--;
        parse_line(p, buf + start, end - start, line);
    }
}

/* Reads the whole file into a NUL-terminated buffer.  Returns NULL with errno
 * set on failure. */
static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    size_t n = 0, cap = 0;

    if (f == NULL)
        return NULL;
    for (;;) {
        size_t got;
        if (cap - n < 4096u) {
            size_t ncap = cap != 0 ? cap * 2u : 65536u;
            char *nb = ncap > cap ? realloc(buf, ncap) : NULL;
            if (nb == NULL) {
                free(buf);
                fclose(f);
                errno = ENOMEM;
                return NULL;
            }
            buf = nb;
            cap = ncap;
        }
        got = fread(buf + n, 1, cap - n - 1u, f);
        n += got;
        if (got == 0) {
            if (ferror(f)) {
                int e = errno != 0 ? errno : EIO;
                free(buf);
                fclose(f);
                errno = e;
                return NULL;
            }
            break;
        }
    }
    fclose(f);
    buf[n] = '\0';
    *len = n;
    return buf;
}

/* ---- execution --------------------------------------------------------- */

typedef enum { R_NONE, R_PASS, R_FAIL } result_e;

typedef struct {
    const char *path;
    FILE *out;
    bool quiet;
} runner_t;

/* An expectation that did not hold: `FILE:LINE: CMD: message`. */
static void fail(const runner_t *r, const cmd_t *c, const char *fmt, ...)
{
    va_list ap;
    fprintf(r->out, "%s:%lu: %s: ", r->path, c->line, c->def->name);
    va_start(ap, fmt);
    vfprintf(r->out, fmt, ap);
    va_end(ap);
    fputc('\n', r->out);
    fflush(r->out);
}

/* The outcome of an unchecked access: `FILE:LINE: message` unless quiet. */
static void info(const runner_t *r, const cmd_t *c, const char *fmt, ...)
{
    va_list ap;
    if (r->quiet)
        return;
    fprintf(r->out, "%s:%lu: ", r->path, c->line);
    va_start(ap, fmt);
    vfprintf(r->out, fmt, ap);
    va_end(ap);
    fputc('\n', r->out);
}

/* "0xV" or "0xV (mask 0xM)". */
static const char *value_text(char *buf, size_t n, uint64_t val, bool has_mask, uint64_t mask)
{
    if (has_mask)
        snprintf(buf, n, "0x%" PRIx64 " (mask 0x%" PRIx64 ")", val, mask);
    else
        snprintf(buf, n, "0x%" PRIx64, val);
    return buf;
}

static result_e exec_write(const runner_t *r, const cmd_t *c)
{
    unsigned size = c->def->size, resp = AXI_OKAY;
    uint64_t val = c->arg[1] & width_mask(size);

    if (tb_reg_write((uint32_t)c->arg[0], size, val, &resp) != 0) {
        fail(r, c, "expected %s, got no response",
             c->resp >= 0 ? resp_name((unsigned)c->resp) : "a response");
        return R_FAIL;
    }
    if (c->resp >= 0) {
        if (resp != (unsigned)c->resp) {
            fail(r, c, "expected %s, got %s", resp_name((unsigned)c->resp), resp_name(resp));
            return R_FAIL;
        }
        return R_PASS;
    }
    info(r, c, "%s off=0x%" PRIx64 " data=0x%" PRIx64 ": %s%s", c->def->name, c->arg[0], val,
         resp_name(resp), resp != AXI_OKAY ? " (not checked)" : "");
    return R_NONE;
}

static result_e exec_read(const runner_t *r, const cmd_t *c)
{
    unsigned size = c->def->size, resp = AXI_OKAY;
    uint64_t wm = width_mask(size), got = 0;
    bool has_val = c->nargs >= 2, has_mask = c->nargs >= 3;
    uint64_t val = c->arg[1] & wm, mask = has_mask ? c->arg[2] & wm : wm;
    char exp[80];

    value_text(exp, sizeof(exp), val, has_mask, mask);
    if (tb_reg_read((uint32_t)c->arg[0], size, &got, &resp) != 0) {
        fail(r, c, "expected %s, got no response",
             has_val ? exp : c->resp >= 0 ? resp_name((unsigned)c->resp) : "a response");
        return R_FAIL;
    }
    got &= wm;
    if (c->resp >= 0 && resp != (unsigned)c->resp) {
        fail(r, c, "expected %s, got %s", resp_name((unsigned)c->resp), resp_name(resp));
        return R_FAIL;
    }
    if (has_val) {
        if (c->resp < 0 && resp != AXI_OKAY) {
            fail(r, c, "expected %s, got %s", exp, resp_name(resp));
            return R_FAIL;
        }
        if ((got & mask) != (val & mask)) {
            fail(r, c, "expected %s, got 0x%" PRIx64, exp, got);
            return R_FAIL;
        }
    }
    if (has_val || c->resp >= 0)
        return R_PASS;
    if (resp == AXI_OKAY)
        info(r, c, "%s off=0x%" PRIx64 ": OKAY data=0x%" PRIx64, c->def->name, c->arg[0], got);
    else
        info(r, c, "%s off=0x%" PRIx64 ": %s (not checked)", c->def->name, c->arg[0],
             resp_name(resp));
    return R_NONE;
}

/* What a poll looks at: a register, a memory word or the interrupt wires. */
typedef enum { LOOK_OK, LOOK_NO_RESPONSE, LOOK_ERROR } look_e;

static look_e look(const cmd_t *c, uint64_t *got, unsigned *resp)
{
    *resp = AXI_OKAY;
    switch (c->def->op) {
    case OP_POLL:
        if (tb_reg_read((uint32_t)c->arg[0], c->def->size, got, resp) != 0)
            return LOOK_NO_RESPONSE;
        return *resp == AXI_OKAY ? LOOK_OK : LOOK_ERROR;
    case OP_MEM_POLL:
        *got = tb_mem_load(c->arg[0], c->def->size);
        return LOOK_OK;
    default:
        *got = tb_wsi();
        return LOOK_OK;
    }
}

/* poll32/poll64, mem.poll*, wsi.poll: look until the value matches or more
 * than `timeout` cycles have passed since the line started. */
static result_e exec_poll(const runner_t *r, const cmd_t *c)
{
    unsigned size = c->def->size;
    uint64_t wm = width_mask(size);
    unsigned vi = c->def->op == OP_WSI_POLL ? 0u : 1u;   /* index of VALUE */
    uint64_t val = c->arg[vi] & wm, mask = c->arg[vi + 1u] & wm;
    uint64_t start = tb_now();
    char exp[80];

    value_text(exp, sizeof(exp), val, true, mask);
    for (;;) {
        uint64_t before = tb_now(), got = 0;
        unsigned resp;
        switch (look(c, &got, &resp)) {
        case LOOK_NO_RESPONSE:
            fail(r, c, "expected %s, got no response", exp);
            return R_FAIL;
        case LOOK_ERROR:
            fail(r, c, "expected %s, got %s", exp, resp_name(resp));
            return R_FAIL;
        case LOOK_OK:
            break;
        }
        got &= wm;
        if ((got & mask) == (val & mask))
            return R_PASS;
        if (tb_now() - start > c->timeout) {
            fail(r, c, "expected %s, got 0x%" PRIx64 " after %" PRIu64 " cycles", exp, got,
                 c->timeout);
            return R_FAIL;
        }
        if (c->def->op != OP_POLL || tb_now() == before)
            tb_cycles(1);
    }
}

/* mem.check*, wsi: compare once. */
static result_e exec_check(const runner_t *r, const cmd_t *c, uint64_t got)
{
    uint64_t wm = width_mask(c->def->size);
    unsigned vi = c->def->op == OP_WSI ? 0u : 1u;
    bool has_mask = c->nargs > vi + 1u;
    uint64_t val = c->arg[vi] & wm, mask = has_mask ? c->arg[vi + 1u] & wm : wm;
    char exp[80];

    got &= wm;
    if ((got & mask) != (val & mask)) {
        fail(r, c, "expected %s, got 0x%" PRIx64,
             value_text(exp, sizeof(exp), val, has_mask, mask), got);
        return R_FAIL;
    }
    return R_PASS;
}

static result_e exec_print(const runner_t *r, const cmd_t *c)
{
    unsigned size = c->def->size, resp = AXI_OKAY;
    uint64_t got = 0;

    if (tb_reg_read((uint32_t)c->arg[0], size, &got, &resp) != 0) {
        fail(r, c, "expected a response, got no response");
        return R_FAIL;
    }
    fprintf(r->out, "0x%" PRIx64 " = 0x%0*" PRIx64 "%s%s%s\n", c->arg[0], (int)(2u * size),
            got & width_mask(size), resp != AXI_OKAY ? " (" : "",
            resp != AXI_OKAY ? resp_name(resp) : "", resp != AXI_OKAY ? ")" : "");
    return R_NONE;
}

static result_e exec_dma(const runner_t *r, const cmd_t *c)
{
    const tb_dma_t *req = &c->dma;
    tb_dma_result_t res;
    uint64_t wm = width_mask(req->size), data;
    char exp[48], got[48];
    bool okay, faulted;

    switch (c->expect) {
    case EXP_OK:       snprintf(exp, sizeof(exp), "ok"); break;
    case EXP_OK_VALUE: snprintf(exp, sizeof(exp), "ok=0x%" PRIx64, c->expect_value); break;
    case EXP_FAULT:    snprintf(exp, sizeof(exp), "fault"); break;
    default:           snprintf(exp, sizeof(exp), "a response"); break;
    }
    memset(&res, 0, sizeof(res));
    if (tb_dma(req, &res, SCN_DMA_TIMEOUT) != 0 || !res.done) {
        fail(r, c, "expected %s, got no response", exp);
        return R_FAIL;
    }
    data = res.rdata & wm;
    okay = res.resp == AXI_OKAY;
    faulted = res.resp == AXI_SLVERR || res.resp == AXI_DECERR;
    if (okay && !req->write)
        snprintf(got, sizeof(got), "ok=0x%" PRIx64, data);
    else if (okay)
        snprintf(got, sizeof(got), "ok");
    else if (faulted)
        snprintf(got, sizeof(got), "fault (%s)", resp_name(res.resp));
    else
        snprintf(got, sizeof(got), "%s", resp_name(res.resp));

    switch (c->expect) {
    case EXP_NONE:
        if (okay && !req->write)
            info(r, c, "%s dev=%" PRIu32 " iova=0x%" PRIx64 ": OKAY data=0x%" PRIx64,
                 c->def->name, req->dev, req->iova, data);
        else
            info(r, c, "%s dev=%" PRIu32 " iova=0x%" PRIx64 ": %s", c->def->name, req->dev,
                 req->iova, resp_name(res.resp));
        return R_NONE;
    case EXP_OK:
        if (okay)
            return R_PASS;
        break;
    case EXP_OK_VALUE:
        if (okay && (req->write || data == c->expect_value))
            return R_PASS;
        break;
    case EXP_FAULT:
        if (faulted)
            return R_PASS;
        break;
    }
    fail(r, c, "expected %s, got %s", exp, got);
    return R_FAIL;
}

static result_e exec_cmd(const runner_t *r, const cmd_t *c)
{
    const uint64_t *a = c->arg;

    switch (c->def->op) {
    case OP_RESET:     tb_reset(); return R_NONE;
    case OP_CYCLES:    tb_cycles(a[0]); return R_NONE;
    case OP_WRITE:     return exec_write(r, c);
    case OP_READ:      return exec_read(r, c);
    case OP_POLL:
    case OP_MEM_POLL:
    case OP_WSI_POLL:  return exec_poll(r, c);
    case OP_PRINT:     return exec_print(r, c);
    case OP_MEM_WRITE: tb_mem_store(a[0], c->def->size, a[1] & width_mask(c->def->size));
                       return R_NONE;
    case OP_MEM_CHECK: return exec_check(r, c, tb_mem_load(a[0], c->def->size));
    case OP_MEM_FILL:  tb_mem_fill(a[0], a[1], (uint8_t)a[2]); return R_NONE;
    case OP_MEM_ERROR: tb_mem_error(a[0], a[1], true); return R_NONE;
    case OP_MEM_OK:    tb_mem_error(a[0], a[1], false); return R_NONE;
    case OP_DMA_READ:
    case OP_DMA_WRITE: return exec_dma(r, c);
    case OP_WSI:       return exec_check(r, c, tb_wsi());
    }
    return R_NONE;
}

int scn_run(const char *path, const scn_opts_t *opts, FILE *out, FILE *err)
{
    static const scn_opts_t defaults = { false, false };
    parser_t p;
    runner_t r;
    unsigned long passed = 0, failed = 0;
    size_t len = 0;
    char *buf;

    if (opts == NULL)
        opts = &defaults;
    if (out == NULL)
        out = stdout;
    if (err == NULL)
        err = stderr;
    if (path == NULL) {
        fprintf(err, "(null): no scenario file given\n");
        return SCN_MALFORMED;
    }

    errno = 0;
    buf = read_file(path, &len);
    if (buf == NULL) {
        fprintf(err, "%s: cannot read: %s\n", path, strerror(errno));
        return SCN_MALFORMED;
    }
    memset(&p, 0, sizeof(p));
    p.path = path;
    p.err = err;
    parse_buffer(&p, buf, len);
    free(buf);
    if (p.oom) {
        fprintf(err, "%s: out of memory\n", path);
        free(p.cmds);
        return SCN_MALFORMED;
    }
    if (p.errors != 0) {
        fprintf(err, "%s: %lu malformed line%s, nothing run\n", path, p.errors,
                p.errors == 1 ? "" : "s");
        fflush(err);
        free(p.cmds);
        return SCN_MALFORMED;
    }

    r.path = path;
    r.out = out;
    r.quiet = opts->quiet;
    for (size_t i = 0; i < p.ncmds; i++) {
        result_e res = exec_cmd(&r, &p.cmds[i]);
        if (res == R_PASS) {
            passed++;
        } else if (res == R_FAIL) {
            failed++;
            if (!opts->keep_going)
                break;
        }
    }
    free(p.cmds);
    fprintf(out, "%s: %lu passed, %lu failed\n", path, passed, failed);
    fflush(out);
    return failed != 0 ? SCN_FAIL : SCN_PASS;
}
