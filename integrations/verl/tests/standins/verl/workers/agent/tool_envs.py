"""Stand-in for the DeepEyesV2 fork's ToolBase: a metaclass registry by `name`, create(name) raising
ValueError for an unknown one, reset/execute/close (same signatures as the fork)."""


class ToolMeta(type):
    def __init__(cls, name, bases, attrs):
        super().__init__(name, bases, attrs)
        if name == "ToolBase":
            return
        if cls.name not in ToolBase.registry:
            ToolBase.registry[cls.name] = cls


class ToolBase(metaclass=ToolMeta):
    registry = {}

    def __init__(self, name, description="", parameters=None, **kwargs):
        self.name = name
        self.description = description
        self.parameters = parameters or {"type": "object", "properties": {}, "required": []}

    @classmethod
    def create(cls, name, description="", parameters=None, **kwargs):
        tool_cls = cls.registry.get(name)
        if not tool_cls:
            raise ValueError(f"No tool registered with name '{name}'")
        return tool_cls(name, description, parameters, **kwargs)

    def reset(self, *args, **kwargs):
        pass

    def close(self):
        pass

    def execute(self, *args, **kwargs):
        raise NotImplementedError


class DeepEyesV2_ENV(ToolBase):
    """The release's own env, registered first under its name (never called in these tests)."""

    name = "deepeyes_v2"
