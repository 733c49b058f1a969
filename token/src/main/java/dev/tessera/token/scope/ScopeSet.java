package dev.tessera.token.scope;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * The scopes of a token ({@code "read:/ligo write:/ligo/user/alice compute.create"}), parsed as a whole:
 * one malformed scope makes the whole set invalid, whatever its position (the reference libraries only
 * fail when a check reaches the bad scope, which makes the outcome depend on scope order).
 *
 * <p>Two questions are answered here: which scope grants a request ({@link #grantFor}), and whether
 * one set is covered by another, for attenuation ({@link #covers(ScopeSet, ScopeSet)}).
 */
public final class ScopeSet implements Iterable<Scope> {
    /** No scopes. */
    public static final ScopeSet EMPTY = new ScopeSet(List.of());

    private static final String[] COMPUTE_WRITE = {"compute.modify", "compute.create", "compute.cancel"};
    private static final ResourcePath CONDOR_READ = constant("/READ");
    private static final ResourcePath CONDOR_WRITE = constant("/WRITE");

    private final List<Scope> scopes;

    private ScopeSet(List<Scope> scopes) {
        this.scopes = scopes;
    }

    /** Parses a space-separated scope string; runs of spaces are one separator, duplicates collapse. */
    public static ScopeSet parse(String text) throws InvalidScopeException {
        LinkedHashSet<Scope> parsed = new LinkedHashSet<>();
        int start = 0;
        int n = text.length();
        while (start < n) {
            int end = text.indexOf(' ', start);
            if (end < 0) {
                end = n;
            }
            if (end > start) {
                parsed.add(Scope.parse(text.substring(start, end)));
            }
            start = end + 1;
        }
        return parsed.isEmpty() ? EMPTY : new ScopeSet(List.copyOf(parsed));
    }

    /** A set of already parsed scopes, in order, without duplicates. */
    public static ScopeSet of(Collection<Scope> scopes) {
        return scopes.isEmpty() ? EMPTY : new ScopeSet(List.copyOf(new LinkedHashSet<>(scopes)));
    }

    public List<Scope> asList() {
        return scopes;
    }

    public boolean isEmpty() {
        return scopes.isEmpty();
    }

    public int size() {
        return scopes.size();
    }

    /** Whether the set holds exactly this scope text (after canonicalization), e.g. {@code "exec:notebook"}. */
    public boolean contains(String scope) {
        try {
            return scopes.contains(Scope.parse(scope));
        } catch (InvalidScopeException e) {
            return false;
        }
    }

    @Override
    public Iterator<Scope> iterator() {
        return scopes.iterator();
    }

    /**
     * The scope that grants {@code authz} on {@code path} (relative to the issuer's base path), as text,
     * or {@code null} when none does.
     *
     * <p>Storage authorizations compare by capability, so a {@code write} or {@code storage.modify}
     * scope grants a {@code storage.create} request and {@code read} and {@code storage.read} are
     * interchangeable. A named scope (no path) grants a request for its whole text with no path (or
     * {@code /}): it says nothing about deeper paths. A {@code storage.create} request for a directory ({@code path} ending in
     * {@code /}) is also granted by a create scope below it: WLCG lets {@code storage.create:/foo/bar}
     * create the missing parent {@code /foo}. Other authorizations must match by name; a named scope
     * (no path) matches when its whole text equals {@code authz}. {@code condor:/READ} and
     * {@code condor:/WRITE} are also granted by WLCG {@code compute.read}, and by {@code compute.modify},
     * {@code compute.create} and {@code compute.cancel} together, as scitokens-cpp maps them.
     */
    public String grantFor(String authz, ResourcePath path) {
        Capability wanted = Capability.of(authz);
        for (Scope scope : scopes) {
            if (!scope.hasPath()) {
                if (scope.authz().equals(authz) && (path == null || path.isRoot())) {
                    return scope.toString();
                }
            } else if (path != null && grants(scope, authz, wanted, path)) {
                return scope.toString();
            }
        }
        return "condor".equals(authz) && path != null ? computeGrant(path) : null;
    }

    private static boolean grants(Scope scope, String authz, Capability wanted, ResourcePath path) {
        if (wanted == null) {
            return scope.authz().equals(authz) && scope.path().contains(path);
        }
        Capability held = Capability.of(scope.authz());
        if (held == null || !held.implies(wanted)) {
            return false;
        }
        return scope.path().contains(path)
                || wanted == Capability.CREATE && path.directory() && path.isAncestorOf(scope.path());
    }

    private String computeGrant(ResourcePath path) {
        if (contains("compute.read") && CONDOR_READ.contains(path)) {
            return "compute.read";
        }
        for (String name : COMPUTE_WRITE) {
            if (!contains(name)) {
                return null;
            }
        }
        return CONDOR_WRITE.contains(path) ? String.join(" ", COMPUTE_WRITE) : null;
    }

    private static ResourcePath constant(String value) {
        try {
            return ResourcePath.parseScopePath(value);
        } catch (InvalidScopeException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /**
     * Whether {@code parent} covers {@code requested}: every requested scope is granted by some parent
     * scope. Used for attenuation (token exchange, refresh with {@code scope}), where nothing may be
     * gained: the same authorization name or one that implies it ({@code storage.modify} covers
     * {@code storage.create}, {@code storage.stage} covers {@code storage.poll}), with the path at or
     * below the parent's on a segment boundary; named scopes must match exactly. Unlike enforcement,
     * {@code read} and {@code storage.read} are different families here.
     */
    public static boolean covers(ScopeSet parent, ScopeSet requested) {
        for (Scope scope : requested) {
            if (!parent.covers(scope)) {
                return false;
            }
        }
        return true;
    }

    /** Whether one of these scopes covers {@code requested}; see {@link #covers(ScopeSet, ScopeSet)}. */
    public boolean covers(Scope requested) {
        for (Scope scope : scopes) {
            if (covers(scope, requested)) {
                return true;
            }
        }
        return false;
    }

    private static boolean covers(Scope held, Scope requested) {
        if (!held.hasPath() || !requested.hasPath()) {
            return held.equals(requested);
        }
        boolean sameOrImplied = held.authz().equals(requested.authz())
                || held.authz().equals("storage.modify") && requested.authz().equals("storage.create")
                || held.authz().equals("storage.stage") && requested.authz().equals("storage.poll");
        return sameOrImplied && held.path().contains(requested.path());
    }

    /**
     * The requested scopes split into those this set covers and those it does not: what an issuer
     * grants when a client asks for a narrower token.
     */
    public Narrowing narrow(ScopeSet requested) {
        List<Scope> granted = new ArrayList<>();
        List<Scope> refused = new ArrayList<>();
        for (Scope scope : requested) {
            (covers(scope) ? granted : refused).add(scope);
        }
        return new Narrowing(of(granted), List.copyOf(refused));
    }

    /**
     * What both sets grant, each scope at the narrower of the two extents: {@code read:/data} and
     * {@code read:/data/x read:/other} give {@code read:/data/x}. What an issuer grants when a client asks
     * for "everything" that two limits (a parent token, a client's ceiling, a policy) both allow.
     */
    public ScopeSet intersect(ScopeSet other) {
        List<Scope> out = new ArrayList<>();
        for (Scope mine : scopes) {
            for (Scope theirs : other.scopes) {
                if (covers(mine, theirs)) {
                    out.add(theirs);
                } else if (covers(theirs, mine)) {
                    out.add(mine);
                }
            }
        }
        return of(out);
    }

    /** The outcome of {@link #narrow}. */
    public record Narrowing(ScopeSet granted, List<Scope> refused) {
    }

    /** The scopes in canonical form, separated by single spaces. */
    @Override
    public String toString() {
        StringBuilder out = new StringBuilder();
        for (Scope scope : scopes) {
            if (out.length() > 0) {
                out.append(' ');
            }
            out.append(scope);
        }
        return out.toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ScopeSet s && s.scopes.equals(scopes);
    }

    @Override
    public int hashCode() {
        return scopes.hashCode();
    }
}
