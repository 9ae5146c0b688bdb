/// What the messaging layer keeps for one VM: its inbox and the encoder's
/// scratch memory. Attached to the VM as its `VMAttachment`.
final class ActorState: VMAttachment {
    /// This actor's inbox; its address is what others send to.
    let mailbox: Mailbox
    /// Reused by every `send` of this VM (see MessageCodec.encode).
    let messageScratch = MessageCodec.Scratch()

    init(mailbox: Mailbox) { self.mailbox = mailbox }

    var mayWakeFiber: Bool { mailbox.mayWakeReceiver }

    func vmEnded(reason: String) { mailbox.actorEnded(reason: reason) }
}

extension VM {
    /// The VM's actor state (every VM gets one from the messaging module's install).
    @inline(__always) var actor: ActorState { unsafeDowncast(attachment!, to: ActorState.self) }
    @inline(__always) var mailbox: Mailbox { actor.mailbox }
    @inline(__always) var messageScratch: MessageCodec.Scratch { actor.messageScratch }
}
