"""Function bodies in C++ source, found by matching braces: scripts/check_sizes.py's scanner.

function_lengths(src) returns (line, name, lines) for each function body: a brace block at
namespace or class scope whose "{" follows a parameter list ")" plus any of: cv/ref
qualifiers, noexcept(...), override, final, mutable, attributes, a trailing "-> type" or a
constructor's ": member(init), ..." list. Its length runs from the line of "{" to the line
of the matching "}", both included. Lambdas, local classes and nested blocks count as part
of the function that holds them; a lambda that directly initialises a variable at namespace
or class scope counts as a function of its own, named after the variable. Class, namespace,
enum and initialiser braces are not functions. Braces inside comments, string and character
literals (raw strings included) and preprocessor lines are ignored. Code it cannot match
(e.g. braces that #if branches leave unbalanced) raises ScanError.
"""

STRING_PREFIXES = {'u8', 'u', 'U', 'L'}
RAW_PREFIXES = {'R', 'u8R', 'uR', 'UR', 'LR'}
QUALIFIERS = {'const', 'volatile', 'noexcept', 'override', 'final', 'mutable', 'constexpr',
              'consteval', 'static'}
ACCESS = {'public', 'protected', 'private', 'signals', 'slots', 'Q_SIGNALS', 'Q_SLOTS'}
OPENERS = {'(': ')', '[': ']', '{': '}'}


class ScanError(Exception):
    def __init__(self, line, what):
        super().__init__(what)
        self.line = line


class Tok:
    """A token: kind 'id', 'num', 'str', 'punct', or a bracketed 'group' (text '(' or '[')."""

    def __init__(self, kind, text, line, end_line=None):
        self.kind, self.text, self.line = kind, text, line
        self.end_line = line if end_line is None else end_line

    def __repr__(self):
        return f'{self.kind}:{self.text}@{self.line}'


def tokenize(src):
    """C++ tokens without comments, literals' contents and preprocessor lines."""
    toks, i, line, n = [], 0, 1, len(src)
    at_line_start = True
    while i < n:
        c = src[i]
        if c == '\n':
            line += 1
            i += 1
            at_line_start = True
            continue
        if c in ' \t\r\f\v':
            i += 1
            continue
        if c == '#' and at_line_start:
            i, line = skip_directive(src, i, line)
            continue
        at_line_start = False
        if src.startswith('//', i):
            while i < n and src[i] != '\n':
                i += 1
            continue
        if src.startswith('/*', i):
            end = src.find('*/', i + 2)
            end = n if end < 0 else end + 2
            line += src.count('\n', i, end)
            i = end
            continue
        if c.isalpha() or c == '_':
            j = i
            while j < n and (src[j].isalnum() or src[j] == '_'):
                j += 1
            word = src[i:j]
            if j < n and src[j] == '"' and word in RAW_PREFIXES:
                i, line = skip_raw_string(src, j, line)
                toks.append(Tok('str', '""', line))
            elif j < n and src[j] in '"\'' and word in STRING_PREFIXES:
                i, line = skip_quoted(src, j, line)
                toks.append(Tok('str', '""', line))
            else:
                toks.append(Tok('id', word, line))
                i = j
            continue
        if c.isdigit() or (c == '.' and i + 1 < n and src[i + 1].isdigit()):
            j = i + 1
            while j < n:
                if src[j].isalnum() or src[j] in '_.':
                    j += 1
                elif src[j] == "'" and j + 1 < n and src[j + 1].isalnum():
                    j += 1  # digit separator, as in 1'000
                elif src[j] in '+-' and src[j - 1] in 'eEpP':
                    j += 1
                else:
                    break
            toks.append(Tok('num', src[i:j], line))
            i = j
            continue
        if c in '"\'':
            i, line = skip_quoted(src, i, line)
            toks.append(Tok('str', '""', line))
            continue
        two = src[i:i + 2]
        if two in ('::', '->'):
            toks.append(Tok('punct', two, line))
            i += 2
            continue
        toks.append(Tok('punct', c, line))
        i += 1
    return toks


def skip_directive(src, i, line):
    """Skips a preprocessor line and its backslash continuations; returns (index, line)."""
    n = len(src)
    while i < n and src[i] != '\n':
        if src[i] == '\\' and i + 1 < n and src[i + 1] == '\n':
            line += 1
            i += 2
            continue
        if src.startswith('/*', i):
            end = src.find('*/', i + 2)
            end = n if end < 0 else end + 2
            line += src.count('\n', i, end)
            i = end
            continue
        i += 1
    return i, line


def skip_quoted(src, i, line):
    quote, n, start_line = src[i], len(src), line
    i += 1
    while i < n and src[i] != quote:
        if src[i] == '\\':
            i += 1
        elif src[i] == '\n':
            raise ScanError(start_line, 'unterminated literal')
        i += 1
    if i >= n:
        raise ScanError(start_line, 'unterminated literal')
    return i + 1, line


def skip_raw_string(src, i, line):
    """src[i] is the '"' of R"delim( ... )delim"."""
    open_paren = src.find('(', i)
    if open_paren < 0:
        raise ScanError(line, 'malformed raw string')
    closing = ')' + src[i + 1:open_paren] + '"'
    end = src.find(closing, open_paren)
    if end < 0:
        raise ScanError(line, 'unterminated raw string')
    end += len(closing)
    return end, line + src.count('\n', i, end)


def match_group(toks, i):
    """toks[i] opens a bracket; returns the index of its partner."""
    stack = []
    for j in range(i, len(toks)):
        t = toks[j].text if toks[j].kind == 'punct' else None
        if t in OPENERS:
            stack.append(OPENERS[t])
        elif t in (')', ']', '}'):
            if not stack or stack.pop() != t:
                raise ScanError(toks[j].line, f"unmatched '{t}'")
            if not stack:
                return j
    raise ScanError(toks[i].line, f"unmatched '{toks[i].text}'")


def without_template_heads(head):
    """head minus its "template <...>" parameter lists (which may say 'class')."""
    out, k = [], 0
    while k < len(head):
        if is_id(head[k], 'template') and k + 1 < len(head) and is_punct(head[k + 1], '<'):
            depth, k = 0, k + 1
            while k < len(head):
                depth += is_punct(head[k], '<') - is_punct(head[k], '>')
                k += 1
                if depth == 0:
                    break
            continue
        out.append(head[k])
        k += 1
    return out


def is_id(t, text=None):
    return t.kind == 'id' and (text is None or t.text == text)


def is_punct(t, text):
    return t.kind == 'punct' and t.text == text


def is_group(t, text):
    return t.kind == 'group' and t.text == text


def tail_kind(tail):
    """What follows a parameter list: None if not a function tail, else 'plain' or 'init'."""
    k = 0
    while k < len(tail):
        t = tail[k]
        if is_id(t) and t.text in ('noexcept', 'throw') and k + 1 < len(tail) \
                and is_group(tail[k + 1], '('):
            k += 2
        elif (is_id(t) and t.text in QUALIFIERS) or is_punct(t, '&') or is_group(t, '['):
            k += 1
        elif is_punct(t, '->') or is_id(t, 'requires'):
            return 'plain'
        elif is_punct(t, ':'):
            return 'init'
        else:
            return None
    return 'plain'


def parameter_list(head):
    """Index of the parameter list's group in head and the tail kind, or (None, None)."""
    for k, t in enumerate(head):
        if is_group(t, '('):
            kind = tail_kind(head[k + 1:])
            if kind:
                return k, kind
    return None, None


def lambda_variable(head, k):
    """The variable a namespace- or class-scope lambda starting at head[k] initialises."""
    if k > 0 and is_punct(head[k - 1], '=') and k > 1 and is_id(head[k - 2]):
        return head[k - 2].text + ' (lambda)'
    return None


def function_name(head, k):
    """The declarator's name before the parameter list head[k], or None."""
    j = k - 1
    if j < 0:
        return None
    if is_group(head[j], '['):
        return lambda_variable(head, j)
    if is_group(head[j], '(') and j >= 1 and is_id(head[j - 1], 'operator'):
        last, j = 'operator()', j - 2
    else:
        m = j
        while m >= 0 and m > j - 3 and head[m].kind == 'punct':
            m -= 1
        if 0 <= m < j and is_id(head[m], 'operator'):
            last, j = 'operator' + ''.join(t.text for t in head[m + 1:j + 1]), m - 1
        else:
            j = skip_template_arguments(head, j)  # f<int>(...): an explicit specialisation
            if j < 0 or not is_id(head[j]):
                return None
            last, j = head[j].text, j - 1
            if j >= 0 and (is_punct(head[j], '~') or is_id(head[j], 'operator')):
                last, j = head[j].text + ('' if head[j].text == '~' else ' ') + last, j - 1
    parts = [last]
    while j >= 1 and is_punct(head[j], '::'):
        j = skip_template_arguments(head, j - 1)
        if j < 0 or not is_id(head[j]):
            break
        parts.insert(0, head[j].text)
        j -= 1
    return '::'.join(parts)


def skip_template_arguments(head, j):
    """If head[j] closes "<...>", the index before its "<"; else j."""
    if not is_punct(head[j], '>'):
        return j
    depth = 0
    while j >= 0:
        depth += is_punct(head[j], '>') - is_punct(head[j], '<')
        j -= 1
        if depth == 0:
            break
    return j


def classify(head):
    """('function', name) / ('namespace',) / ('class',) / ('opaque',) for a '{' after head."""
    top = without_template_heads(head)
    k, _ = parameter_list(top)
    if k is not None:
        name = function_name(top, k)
        if name:
            return 'function', name, top[k].line
    for j, t in enumerate(top):
        if is_group(t, '[') and (j == 0 or is_punct(top[j - 1], '=')) \
                and tail_kind(top[j + 1:]) == 'plain' and lambda_variable(top, j):
            return 'function', lambda_variable(top, j), top[j].line
    words = {t.text for t in top if t.kind == 'id'}
    if 'namespace' in words or (top and is_id(top[0], 'extern') and len(top) == 2):
        return ('namespace',)
    if 'enum' in words:
        return ('opaque',)
    if words & {'class', 'struct', 'union'}:
        return ('class',)
    return ('opaque',)


def in_init_list(head):
    top = without_template_heads(head)
    k, kind = parameter_list(top)
    return k is not None and kind == 'init'


def scan_scope(toks, i, out):
    """Scans namespace or class scope from toks[i] to its '}' (returned) or the end."""
    head = []
    while i < len(toks):
        t = toks[i]
        if is_punct(t, '}'):
            return i
        if is_punct(t, ';'):
            head = []
        elif is_punct(t, ':') and head and head[-1].text in ACCESS:
            head = []
        elif t.kind == 'punct' and t.text in '([':
            end = match_group(toks, i)
            head.append(Tok('group', t.text, t.line, toks[end].line))
            i = end
        elif is_punct(t, '{'):
            if head and (is_id(head[-1]) or is_punct(head[-1], '>')) and in_init_list(head):
                end = match_group(toks, i)  # a member's brace initialiser: still the head
                head.append(Tok('group', '{', t.line, toks[end].line))
                i = end
            else:
                i, head = scan_block(toks, i, head, out)
        else:
            head.append(t)
        i += 1
    return i


def scan_block(toks, i, head, out):
    """toks[i] is a '{' after head; returns the index of its '}' and the head that follows."""
    what = classify(head) if head else ('opaque',)
    if what[0] in ('namespace', 'class'):
        end = scan_scope(toks, i + 1, out)
        if end >= len(toks):
            raise ScanError(toks[i].line, "unmatched '{'")
        return end, [] if what[0] == 'namespace' else head + [Tok('group', '{', toks[i].line)]
    end = match_group(toks, i)
    if what[0] == 'function':
        out.append((what[2], what[1], toks[end].line - toks[i].line + 1))
        return end, []
    return end, head + [Tok('group', '{', toks[i].line, toks[end].line)]


def function_lengths(src):
    """[(line, name, lines)] for every function in C++ source src."""
    toks = tokenize(src)
    out = []
    end = scan_scope(toks, 0, out)
    if end < len(toks):
        raise ScanError(toks[end].line, "unmatched '}'")
    return out
