/// `require 'condition_variable'`: `wait(mutex)` releases the mutex, suspends
/// until notified, and holds the mutex again when it returns (also when the
/// wait is interrupted, before `interrupted` is raised).
enum ConditionVariableModule {
    static let definition = LuaModule(name: "condition_variable", lua: "condition_variable")
}
