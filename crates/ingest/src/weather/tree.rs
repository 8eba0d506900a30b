//! A small element tree of ONE `<alert>`, read from a streaming [`NsReader`].
//!
//! Only the CAP elements senda uses are kept, and only down to [`MAX_DEPTH`] levels below
//! `<alert>`; everything else (`<parameter>`, `<resource>`, an XML signature, elements of
//! another namespace, ...) is skipped with a depth counter. The tree is therefore small and
//! shallow whatever the input, so building, walking and dropping it never recurses deeply.

use quick_xml::events::{BytesStart, Event};
use quick_xml::name::ResolveResult;
use quick_xml::reader::NsReader;

/// Levels kept below `<alert>`: alert > info > area > polygon is the deepest CAP path we read.
const MAX_DEPTH: usize = 3;

/// The CAP elements senda reads; everything else is [`Tag::Other`] and skipped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Tag {
    Alert,
    Identifier,
    Sender,
    Sent,
    Status,
    MsgType,
    Scope,
    References,
    Info,
    Language,
    Category,
    Event,
    Urgency,
    Severity,
    Certainty,
    Effective,
    Onset,
    Expires,
    Headline,
    Description,
    Instruction,
    Area,
    AreaDesc,
    Polygon,
    Circle,
    Geocode,
    Other,
}

impl Tag {
    fn from_local_name(name: &str) -> Self {
        match name {
            "alert" => Self::Alert,
            "identifier" => Self::Identifier,
            "sender" => Self::Sender,
            "sent" => Self::Sent,
            "status" => Self::Status,
            "msgType" => Self::MsgType,
            "scope" => Self::Scope,
            "references" => Self::References,
            "info" => Self::Info,
            "language" => Self::Language,
            "category" => Self::Category,
            "event" => Self::Event,
            "urgency" => Self::Urgency,
            "severity" => Self::Severity,
            "certainty" => Self::Certainty,
            "effective" => Self::Effective,
            "onset" => Self::Onset,
            "expires" => Self::Expires,
            "headline" => Self::Headline,
            "description" => Self::Description,
            "instruction" => Self::Instruction,
            "area" => Self::Area,
            "areaDesc" => Self::AreaDesc,
            "polygon" => Self::Polygon,
            "circle" => Self::Circle,
            "geocode" => Self::Geocode,
            _ => Self::Other,
        }
    }

    /// Elements whose own text is meaningless (only their children count).
    fn is_container(self) -> bool {
        matches!(self, Self::Alert | Self::Info | Self::Area | Self::Geocode)
    }
}

/// One kept element: its tag, its text (entities resolved, line ends normalised, not
/// trimmed) and its kept children in document order.
#[derive(Debug)]
pub(crate) struct Node {
    pub tag: Tag,
    pub text: String,
    pub children: Vec<Node>,
}

impl Node {
    fn new(tag: Tag) -> Self {
        Self {
            tag,
            text: String::new(),
            children: Vec::new(),
        }
    }

    /// The first child with this tag.
    pub fn child(&self, tag: Tag) -> Option<&Node> {
        self.children.iter().find(|c| c.tag == tag)
    }

    /// All children with this tag, in document order.
    pub fn all(&self, tag: Tag) -> impl Iterator<Item = &Node> {
        self.children.iter().filter(move |c| c.tag == tag)
    }

    /// The trimmed text of the first child with this tag: `None` when there is no such
    /// child, `Some("")` when it is empty.
    pub fn text_of(&self, tag: Tag) -> Option<&str> {
        self.child(tag).map(|c| c.text.trim())
    }
}

/// One `<alert>` element read into a [`Node`] tree.
#[derive(Debug)]
pub(crate) struct AlertTree {
    /// The namespace `<alert>` is bound to (`None`: no namespace).
    pub namespace: Option<String>,
    pub root: Node,
}

/// Why the alert could not be read as XML.
#[derive(Debug)]
pub(crate) enum TreeError {
    /// quick-xml refused the input at this byte position.
    Xml {
        position: u64,
        error: quick_xml::Error,
    },
    /// The input ended before `</alert>`.
    Truncated,
}

/// The namespace an element (or end tag) resolved to, as text.
pub(crate) fn namespace_of(resolved: &ResolveResult<'_>) -> Option<String> {
    match resolved {
        ResolveResult::Bound(ns) => Some(ns.as_ref().to_owned()),
        ResolveResult::Unbound => None,
        // An undeclared prefix: keep it visible rather than pretend there is no namespace.
        ResolveResult::Unknown(prefix) => Some(format!("{prefix}: (undeclared prefix)")),
    }
}

/// Reads the alert whose start tag `start` was just returned by `reader` (resolved to
/// `namespace`; `empty` for `<alert/>`), up to and including its end tag.
pub(crate) fn read_alert(
    reader: &mut NsReader<&[u8]>,
    namespace: Option<String>,
    start: &BytesStart<'_>,
    empty: bool,
) -> Result<AlertTree, TreeError> {
    debug_assert_eq!(
        Tag::from_local_name(start.local_name().as_ref()),
        Tag::Alert
    );
    let mut stack = vec![Node::new(Tag::Alert)];
    // Depth of the skipped subtree we are in (0: not skipping).
    let mut skipping = 0usize;
    if !empty {
        loop {
            let (resolved, event) = match reader.read_resolved_event() {
                Ok(read) => read,
                Err(error) => {
                    return Err(TreeError::Xml {
                        position: reader.error_position(),
                        error,
                    })
                }
            };
            // A child counts as CAP when it is in the alert's namespace or, leniently, has no
            // prefix at all (a prefixed `<cap:alert>` in an Atom entry often has unprefixed
            // children that fall into the Atom default namespace). A prefixed child of another
            // namespace (an extension, an XML signature) is skipped.
            let same_ns = match &resolved {
                ResolveResult::Bound(ns) if namespace.as_deref() == Some(ns.as_ref()) => true,
                _ => match &event {
                    Event::Start(e) | Event::Empty(e) => e.name().prefix().is_none(),
                    _ => false,
                },
            };
            match event {
                Event::Start(e) => {
                    let tag = if skipping > 0 {
                        Tag::Other
                    } else {
                        kept_tag(&e, same_ns, stack.len())
                    };
                    if tag == Tag::Other {
                        skipping += 1;
                    } else {
                        stack.push(Node::new(tag));
                    }
                }
                Event::Empty(e) => {
                    let tag = if skipping > 0 {
                        Tag::Other
                    } else {
                        kept_tag(&e, same_ns, stack.len())
                    };
                    if tag != Tag::Other {
                        if let Some(parent) = stack.last_mut() {
                            parent.children.push(Node::new(tag));
                        }
                    }
                }
                Event::End(_) => {
                    if skipping > 0 {
                        skipping -= 1;
                        continue;
                    }
                    let Some(done) = stack.pop() else {
                        return Err(TreeError::Truncated);
                    };
                    match stack.last_mut() {
                        Some(parent) => parent.children.push(done),
                        None => {
                            return Ok(AlertTree {
                                namespace,
                                root: done,
                            })
                        }
                    }
                }
                Event::Text(t) => push_text(&mut stack, skipping, &t.xml10_content()),
                Event::CData(t) => push_text(&mut stack, skipping, &t.xml10_content()),
                Event::GeneralRef(r) => {
                    if skipping == 0 {
                        let resolved = match r.resolve_char_ref() {
                            Ok(Some(c)) => Some(c),
                            Ok(None) => match r.as_ref() {
                                "amp" => Some('&'),
                                "lt" => Some('<'),
                                "gt" => Some('>'),
                                "quot" => Some('"'),
                                "apos" => Some('\''),
                                _ => None,
                            },
                            Err(_) => None,
                        };
                        match resolved {
                            Some(c) => push_text(&mut stack, 0, c.encode_utf8(&mut [0; 4])),
                            // An entity we cannot resolve stays visible as written.
                            None => push_text(&mut stack, 0, &format!("&{};", r.as_ref())),
                        }
                    }
                }
                Event::Eof => return Err(TreeError::Truncated),
                Event::Comment(_) | Event::Decl(_) | Event::PI(_) | Event::DocType(_) => {}
            }
        }
    }
    let root = stack.pop().unwrap_or_else(|| Node::new(Tag::Alert));
    Ok(AlertTree { namespace, root })
}

/// The tag to keep for a child start tag at `depth` (the number of open kept elements), or
/// [`Tag::Other`] to skip it.
fn kept_tag(start: &BytesStart<'_>, same_namespace: bool, depth: usize) -> Tag {
    if !same_namespace || depth > MAX_DEPTH {
        return Tag::Other;
    }
    match Tag::from_local_name(start.local_name().as_ref()) {
        // A nested <alert> is not CAP: skip it rather than mistake it for the record.
        Tag::Alert => Tag::Other,
        tag => tag,
    }
}

fn push_text(stack: &mut [Node], skipping: usize, text: &str) {
    if skipping > 0 {
        return;
    }
    if let Some(node) = stack.last_mut() {
        if !node.tag.is_container() {
            node.text.push_str(text);
        }
    }
}
