import Synchronization

/// The metatable of one of the runtime's userdata types, numbered once per
/// process: each VM keeps the registry refs of its metatables in an array
/// indexed by that number, so checking a handle (every `join`, `send`,
/// `read`...) costs no hashing.
struct MetatableName: Sendable {
    let name: String
    let index: Int

    private static let count = Atomic<Int>(0)

    init(_ name: String) {
        self.name = name
        index = MetatableName.count.wrappingAdd(1, ordering: .relaxed).oldValue
    }
}

/// A VM's registry refs of its metatables, by `MetatableName`.
struct MetatableRefs {
    private var refs: [Int32] = []

    subscript(name: MetatableName) -> Int32? {
        get {
            guard name.index < refs.count else { return nil }
            let ref = refs[name.index]
            return ref == noRef ? nil : ref
        }
        set {
            if name.index >= refs.count {
                refs.append(contentsOf: repeatElement(noRef, count: name.index + 1 - refs.count))
            }
            refs[name.index] = newValue ?? noRef
        }
    }

    private let noRef: Int32 = -2  // LUA_NOREF
}
