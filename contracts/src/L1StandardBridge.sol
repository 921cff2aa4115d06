// SPDX-License-Identifier: MIT
// Devnet stand-in for OP-Stack's L1StandardBridge: same deposit signatures and legacy events, no messenger.
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";

contract L1StandardBridge {
    using SafeERC20 for IERC20;

    /// OP's Predeploys.LEGACY_ERC20_ETH: the L2 "token" of ETH deposits.
    address internal constant LEGACY_ERC20_ETH = 0xDeadDeAddeAddEAddeadDEaDDEAdDeaDDeAD0000;
    /// Gas limit OP uses for plain ETH sent to the bridge's receive().
    uint32 internal constant RECEIVE_DEFAULT_GAS_LIMIT = 200_000;

    /// Tokens locked per (l1Token, l2Token), as in OP's `deposits` mapping.
    mapping(address => mapping(address => uint256)) public deposits;
    /// Increases with every deposit; the relayer uses it to order and de-duplicate deposits.
    uint256 public depositNonce;

    event ETHDepositInitiated(address indexed from, address indexed to, uint256 amount, bytes extraData);
    event ERC20DepositInitiated(
        address indexed l1Token,
        address indexed l2Token,
        address indexed from,
        address to,
        uint256 amount,
        bytes extraData
    );
    /// Devnet-only companion of every deposit (OP's messenger emits SentMessage with a nonce instead).
    event DepositQueued(uint256 indexed nonce, address l1Token, address l2Token, address from, address to, uint256 amount, bytes extraData);

    error OnlyEOA();
    error ZeroAmount();
    error ZeroRecipient();

    modifier onlyEOA() {
        if (msg.sender.code.length != 0) revert OnlyEOA();
        _;
    }

    receive() external payable onlyEOA {
        _initiateETHDeposit(msg.sender, msg.sender, RECEIVE_DEFAULT_GAS_LIMIT, bytes(""));
    }

    function depositETH(uint32 _minGasLimit, bytes calldata _extraData) external payable onlyEOA {
        _initiateETHDeposit(msg.sender, msg.sender, _minGasLimit, _extraData);
    }

    function depositETHTo(address _to, uint32 _minGasLimit, bytes calldata _extraData) external payable {
        _initiateETHDeposit(msg.sender, _to, _minGasLimit, _extraData);
    }

    function depositERC20(
        address _l1Token,
        address _l2Token,
        uint256 _amount,
        uint32 _minGasLimit,
        bytes calldata _extraData
    ) external onlyEOA {
        _initiateERC20Deposit(_l1Token, _l2Token, msg.sender, msg.sender, _amount, _minGasLimit, _extraData);
    }

    function depositERC20To(
        address _l1Token,
        address _l2Token,
        address _to,
        uint256 _amount,
        uint32 _minGasLimit,
        bytes calldata _extraData
    ) external {
        _initiateERC20Deposit(_l1Token, _l2Token, msg.sender, _to, _amount, _minGasLimit, _extraData);
    }

    function _initiateETHDeposit(address _from, address _to, uint32, bytes memory _extraData) internal {
        if (msg.value == 0) revert ZeroAmount();
        if (_to == address(0)) revert ZeroRecipient();
        emit ETHDepositInitiated(_from, _to, msg.value, _extraData);
        emit DepositQueued(depositNonce++, address(0), LEGACY_ERC20_ETH, _from, _to, msg.value, _extraData);
    }

    function _initiateERC20Deposit(
        address _l1Token,
        address _l2Token,
        address _from,
        address _to,
        uint256 _amount,
        uint32,
        bytes memory _extraData
    ) internal {
        if (_amount == 0) revert ZeroAmount();
        if (_to == address(0)) revert ZeroRecipient();
        IERC20(_l1Token).safeTransferFrom(_from, address(this), _amount);
        deposits[_l1Token][_l2Token] += _amount;
        emit ERC20DepositInitiated(_l1Token, _l2Token, _from, _to, _amount, _extraData);
        emit DepositQueued(depositNonce++, _l1Token, _l2Token, _from, _to, _amount, _extraData);
    }
}
